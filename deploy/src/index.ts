export type { ApiNode, Registration } from './cluster/api-node.js';
export { type Cluster, type ClusterInfo, type ClusterOptions, startCluster, upstreamServers } from './cluster/cluster.js';
export type { ClusterDatabase, ReplicaMode } from './cluster/database.js';
export { type ImageCommand, readImageCommand } from './cluster/dockerfile.js';
export type { EtcdCluster } from './cluster/etcd-cluster.js';
export type { ClusterPostgres } from './cluster/postgres.js';
export {
  onRestarted,
  onUnexpectedExit,
  type PendingRestart,
  type Restarted,
  type RestartPolicy,
  type UnexpectedExit,
} from './cluster/supervised.js';
export { DeployError, type DeployErrorCode, isDeployError } from './deploy-error.js';
export { jsonLog, type Log, type LogLevel, silentLog } from './log.js';
export { findPrograms, PROGRAMS, type Program } from './programs.js';
export { parseHostPort } from './renderer/address.js';
export { type Renderer, type RendererOptions, startRenderer } from './renderer/renderer.js';
export { registerService, type ServiceRegistration } from './renderer/service-registration.js';
export { bundledTemplate, renderTemplate } from './renderer/template.js';
export { type RenderMode, type SkippedKey, SUBDOMAIN_PREFIX, UPSTREAM_PREFIX } from './renderer/views.js';
