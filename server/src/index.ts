export { startServer, type RunningServer, type StartOptions } from './server.js';
export { createApp, type AppOptions } from './app.js';
export { loadConfig, type Config, type Env } from './config/config.js';
export { ConfigError } from './config/config-error.js';
export { ProblemError, isProblemError, type ProblemBody, type ProblemKind } from './problem/problem-error.js';
export { DEFAULT_LIMITS, type LimitSettings } from './policy/limits.js';
export type { Store } from './store/store.js';
export { contentType, serveFile, sha256, type SiteHandler } from './http/static-file.js';
export { loadWidgetBundle, type WidgetBundle } from './http/widget-bundle.js';
