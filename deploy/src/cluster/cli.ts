#!/usr/bin/env node
// `npm run cluster`: the whole deployment on this machine. Ctrl-C stops
// everything it started; a second run reuses CLUSTER_DIR's data.
import { parseArgs } from 'node:util';
import { isDeployError } from '../deploy-error.js';
import type { Log } from '../log.js';
import { CLUSTER_STORES, type Cluster, type ClusterStore, startCluster } from './cluster.js';
import { REPLICA_MODES, type ReplicaMode } from './database.js';
import { onUnexpectedExit } from './supervised.js';

const USAGE =
  'usage: npm run cluster -- [--nodes N] [--dir DIR] [--ttl SECONDS] [--replica synchronous|asynchronous|none] [--store postgres|rethinkdb]   (DIR defaults to CLUSTER_DIR or ./.cluster)';

function fail(message: string): never {
  process.stderr.write(`news-forum cluster: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions() {
  try {
    return parseArgs({
      options: {
        nodes: { type: 'string' },
        dir: { type: 'string' },
        ttl: { type: 'string' },
        replica: { type: 'string' },
        store: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
}

const values = parseOptions();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const nodes = Number(values.nodes ?? '3');
if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) fail('--nodes must be a whole number from 1 to 16');
const ttl = Number(values.ttl ?? process.env.ETCD_TTL ?? '10');
// The nodes' ETCD_TTL range: a longer one would start the cluster and stop at its first node.
if (!Number.isInteger(ttl) || ttl < 2 || ttl > 300) fail("--ttl must be a whole number of seconds from 2 to 300 (the nodes' ETCD_TTL)");
const replica = (values.replica ?? 'synchronous') as ReplicaMode;
if (!REPLICA_MODES.includes(replica)) fail(`--replica must be one of ${REPLICA_MODES.join(', ')}`);
const store = (values.store ?? 'postgres') as ClusterStore;
if (!CLUSTER_STORES.includes(store)) fail(`--store must be one of ${CLUSTER_STORES.join(', ')}`);
const dir = values.dir ?? process.env.CLUSTER_DIR ?? './.cluster';

const log: Log = (_level, message) => process.stdout.write(`  ${message}\n`);
const began = Date.now();
let cluster: Cluster | undefined;
const starting = new AbortController();
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('stopping the cluster…\n');
  // While starting, the abort stops what was started and startCluster rejects.
  if (!cluster) return starting.abort();
  void cluster.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Nothing restarts what dies here (a fault being tried, or a crash): the operator is told, with where to look.
onUnexpectedExit(({ name, code, signal, logFile }) => {
  if (!stopping) process.stdout.write(`${name} exited (${signal ?? `code ${code}`}) and stays down; its log: ${logFile}\n`);
});

try {
  cluster = await startCluster({ dir, nodes, ttlSeconds: ttl, replica, store, log, signal: starting.signal });
} catch (error) {
  if (stopping) process.exit(0);
  if (!isDeployError(error)) throw error;
  process.stderr.write(`news-forum cluster: ${error.message}\n`);
  process.exit(1);
}
const info = cluster.info();
process.stdout.write(
  [
    `news-forum cluster ready in ${((Date.now() - began) / 1000).toFixed(1)} s (state: ${cluster.dir})`,
    `  public API          ${cluster.publicUrl('api')}/api`,
    `  API docs            ${cluster.publicUrl('docs')}/`,
    `  demo site           ${cluster.publicUrl('demo')}/`,
    `  load balancer       ${info.lb}`,
    `  public proxy        ${info.proxy}  (Host: api|docs|demo.localhost)`,
    `  etcd                ${info.etcd.join(' ')}`,
    `  Redis               ${info.redis}`,
    store === 'rethinkdb' ? `  RethinkDB (3 × 3)   ${info.database}` : `  PostgreSQL          ${info.database}`,
    ...(info.replica ? [`  PostgreSQL replica  ${info.replica}  (hot standby, ${cluster.database.mode})`] : []),
    ...info.nodes.map((n) => `  ${n.name.padEnd(19)} ${n.url}  (pid ${n.pid})`),
    `  admin               login ${cluster.admin.login}, password in ${cluster.dir}/admin-password`,
    `  logs                ${cluster.dir}/logs/`,
    'Ctrl-C stops everything.',
    '',
  ].join('\n'),
);
