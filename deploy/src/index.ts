export { DeployError, isDeployError, type DeployErrorCode } from './deploy-error.js';
export { jsonLog, silentLog, type Log, type LogLevel } from './log.js';
export { findPrograms, PROGRAMS, type Program } from './programs.js';
export { parseHostPort } from './renderer/address.js';
export { startRenderer, readRendered, type Renderer, type RendererOptions } from './renderer/renderer.js';
export { registerService, type ServiceRegistration } from './renderer/service-registration.js';
export { renderTemplate, bundledTemplate } from './renderer/template.js';
export { SUBDOMAIN_PREFIX, UPSTREAM_PREFIX, type RenderMode, type SkippedKey } from './renderer/views.js';
