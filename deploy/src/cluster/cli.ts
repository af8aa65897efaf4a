#!/usr/bin/env node
// `npm run cluster`: the whole deployment on this machine. A program that
// exits on its own is started again, as its fleet unit would be; Ctrl-C stops
// everything it started; a second run reuses CLUSTER_DIR's data.
import { parseArgs } from 'node:util';
import { isDeployError } from '../deploy-error.js';
import type { Log } from '../log.js';
import { CLUSTER_STORES, type Cluster, type ClusterStore, startCluster } from './cluster.js';
import { REPLICA_MODES, type ReplicaMode } from './database.js';
import { onRestarted, onUnexpectedExit, type UnexpectedExit } from './supervised.js';

const USAGE =
  'usage: npm run cluster -- [--nodes N] [--dir DIR] [--ttl SECONDS] [--replica synchronous|asynchronous|none] [--store postgres|rethinkdb] [--no-restart]   (DIR defaults to CLUSTER_DIR or ./.cluster)';

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
        'no-restart': { type: 'boolean' },
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
const restart = !values['no-restart'];

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
// A closed terminal (SIGHUP) too: by default it ends node at once, leaving every program running.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
// What dies here (a fault being tried, or a crash) comes back after its unit's RestartSec; the operator is told.
onUnexpectedExit((exit) => {
  if (!stopping) process.stdout.write(`${exitLine(exit)}\n`);
});
onRestarted(({ name, pid, error }) => {
  if (!stopping) process.stdout.write(`${name} restarted (pid ${pid})${error ? `, but ${error.message}` : ''}\n`);
});

function exitLine({ name, code, signal, logFile, restart: next }: UnexpectedExit): string {
  const how = signal ?? `code ${code}`;
  if (!next) return `${name} exited (${how}) and stays down; its log: ${logFile}`;
  const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;
  if (next.crashLoop === 0)
    return `${name} exited (${how}); restarting in ${seconds(next.delayMs)}${signal ? '' : `; its log: ${logFile}`}`;
  const soon = next.crashLoop === 1 ? 'soon after its restart' : `soon after each of its last ${next.crashLoop} restarts`;
  return `${name} exited (${how}) ${soon}; restarting in ${seconds(next.delayMs)}, backing off (the delay doubles, up to ${seconds(next.maxDelayMs)}); its log: ${logFile}`;
}

try {
  cluster = await startCluster({ dir, nodes, ttlSeconds: ttl, replica, store, restart, log, signal: starting.signal });
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
    restart
      ? "A program that exits on its own is restarted after its unit's RestartSec (2 or 5 s; --no-restart: it stays down). Ctrl-C stops everything."
      : 'A program that exits on its own stays down (--no-restart). Ctrl-C stops everything.',
    '',
  ].join('\n'),
);
