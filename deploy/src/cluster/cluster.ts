import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeployError } from '../deploy-error.js';
import { type Log, silentLog } from '../log.js';
import { findPrograms } from '../programs.js';
import { statusWithHost, waitFor, waitForHttp } from '../wait.js';
import { ApiNode, type Registration } from './api-node.js';
import { ClusterDatabase, type ReplicaMode } from './database.js';
import { readImageCommand } from './dockerfile.js';
import { EtcdCluster } from './etcd-cluster.js';
import { PortBook } from './ports.js';
import { restartPolicy } from './restarts.js';
import { findRethinkdb, RethinkdbServers } from './rethinkdb-servers.js';
import { type RestartPolicy, Supervised } from './supervised.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEPLOY = path.join(REPO_ROOT, 'deploy');

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** State directory (CLUSTER_DIR); created if missing, reused if present. */
  dir: string;
  /** API nodes; default 3. */
  nodes?: number;
  /** Lease TTL of registrations, seconds (ETCD_TTL); default 10. */
  ttlSeconds?: number;
  /** Domain of the public proxy's virtual hosts; default `localhost`. */
  domain?: string;
  /**
   * `builtin` (default): each node registers itself (ETCD_URL). `sidekick`:
   * nodes run without ETCD_URL, each paired with news-forum-discovery.sh.
   */
  registration?: Registration;
  /** PostgreSQL's streaming replica: `synchronous` (default), `asynchronous` or `none`. */
  replica?: ReplicaMode;
  /** `postgres` (default), or `rethinkdb`: three joined RethinkDB servers, tables 3 × 3, and no PostgreSQL. */
  store?: ClusterStore;
  /** Extra environment for the nodes (e.g. LOG_LEVEL). */
  nodeEnv?: Record<string, string>;
  /**
   * Start a program that exits on its own (killed from outside, crashed) again, as its fleet unit's
   * `Restart=always` would: after the unit's `RestartSec` (2 or 5 s), the delay doubling up to 30 s while it keeps
   * exiting soon after each restart; reported through `onUnexpectedExit` and `onRestarted`. Default false: what
   * exits stays down until it is started, so that tests and the chaos campaign decide. Programs stopped or killed
   * through this API are never restarted.
   */
  restart?: boolean;
  log?: Log;
  /** Aborting it while the cluster starts stops what was started and rejects. */
  signal?: AbortSignal;
}

export type ClusterStore = 'postgres' | 'rethinkdb';
export const CLUSTER_STORES: readonly ClusterStore[] = ['postgres', 'rethinkdb'];

/** What `cluster.json` holds. */
export interface ClusterInfo {
  lb: string;
  proxy: string;
  etcd: string[];
  redis: string;
  database: string;
  /** The hot standby (read-only), absent with `replica: 'none'`. */
  replica?: string;
  nodes: { name: string; url: string; pid: number | undefined }[];
}

/** A running cluster: handles to every piece, for `npm run cluster` and the tests. */
export interface Cluster {
  dir: string;
  /** The public proxy's URL for a subdomain: `http://api.localhost:PORT`. */
  publicUrl(name: 'api' | 'docs' | 'demo'): string;
  /** etcd endpoints of the public proxy's own etcd. */
  publicEtcd: string[];
  /** The first admin (scopes read, delete, admin). */
  admin: { login: string; password: string };
  nodes: ApiNode[];
  node(name: string): ApiNode;
  /** PostgreSQL: the primary the nodes use and its replica (with `store: 'rethinkdb'`, prepared but never started). */
  database: ClusterDatabase;
  /** The RethinkDB servers, with `store: 'rethinkdb'`. */
  rethinkdb: RethinkdbServers | undefined;
  /** The cluster's etcd (3 members): stop and start it under running nodes. */
  etcd: EtcdCluster;
  /** The nodes' Redis: kill and start it under running nodes. */
  redis: { kill(): Promise<void>; start(): Promise<void> };
  /** The file the load balancer's renderer writes. */
  lbSite: string;
  /** Upstream addresses in the load balancer's rendered configuration. */
  routedAddresses(): Promise<string[]>;
  /** Adds and starts one more node (named node-<n>), registered as the cluster's nodes are unless told otherwise. */
  addNode(options?: { registration?: Registration }): Promise<ApiNode>;
  info(): ClusterInfo;
  /** Stops everything it started, nodes first. */
  stop(): Promise<void>;
}

/** Secrets made on the first run and kept in the state directory, so a second run reuses the data. */
async function secret(dir: string, name: string, bytes: number): Promise<string> {
  const file = path.join(dir, name);
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const value = randomBytes(bytes).toString('base64url');
  await writeFile(file, `${value}\n`, { mode: 0o600 });
  return value;
}

/** `server <address>` lines of an nginx configuration. */
export function upstreamServers(config: string): string[] {
  return [...config.matchAll(/^[ \t]*server[ \t]+([^\s;{]+)[^;{\n]*;/gm)].flatMap(([, address]) => address ?? []);
}

/**
 * As root, PostgreSQL and nginx's workers run as other users, who must pass
 * through every directory above the cluster's: a checkout under /root stops
 * initdb with "Permission denied", after etcd, Redis and nginx started.
 */
async function requireReachable(dir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (let above = path.dirname(dir); ; above = path.dirname(above)) {
    if (((await stat(above)).mode & 0o001) === 0) {
      throw new DeployError(
        'bad-option',
        `${above} lets no other account through, and the cluster's PostgreSQL and nginx run as other accounts when started as root: choose a directory they can reach (CLUSTER_DIR=/tmp/forum, or --dir)`,
      );
    }
    if (above === path.dirname(above)) return;
  }
}

/**
 * Starts the whole topology of DESIGN.md's Deploy section on this machine:
 * a 3-member etcd, Redis, PostgreSQL, N API nodes (the image's CMD), the
 * load balancer (renderer + nginx), the public proxy (renderer + nginx) with
 * its own etcd, and the demo site; all on free ports of 127.0.0.1 with their
 * state under `dir`. Resolves when everything answers and `cluster.json` is written.
 *
 * @example
 * const cluster = await startCluster({ dir: '.cluster', nodes: 3 });
 * await cluster.node('node-2').kill();
 * await cluster.node('node-2').start();
 * await cluster.stop();
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const log = options.log ?? silentLog;
  const store = options.store ?? 'postgres';
  const programs = findPrograms(['etcd', 'etcdctl', 'curl', 'redis', 'postgres', 'initdb', 'pgBasebackup', 'pgCtl', 'nginx']);
  const rethinkdbBinary = store === 'rethinkdb' ? findRethinkdb() : undefined;
  const image = readImageCommand();
  const dir = path.resolve(options.dir);
  const logDir = path.join(dir, 'logs');
  await mkdir(logDir, { recursive: true });
  await requireReachable(dir);
  // nginx workers and PostgreSQL run as other users when we are root: they must reach their directories.
  await chmod(dir, 0o755);
  const ttl = String(options.ttlSeconds ?? 10);
  const domain = options.domain ?? 'localhost';
  const registration = options.registration ?? 'builtin';
  const ports = new PortBook(dir);
  const started: { stop(): Promise<void> }[] = [];
  // Aborted first when the cluster stops: a restart still pending is cancelled, and none starts while it stops.
  const restarts = new AbortController();
  // One listener per program that restarts, more than the default 10 of a warning about a leak.
  setMaxListeners(0, restarts.signal);
  /** Restarts one program (see ClusterOptions.restart) when the cluster does. */
  const restartOnExit = (program: { restartOnExit(policy: RestartPolicy): void }, policy: RestartPolicy) => {
    if (options.restart) program.restartOnExit(policy);
  };
  const stopAll = async () => {
    restarts.abort();
    for (const piece of started.splice(0).reverse()) await piece.stop().catch(() => undefined);
  };
  const onAbort = () => void stopAll();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  /** Between steps: a start interrupted by the signal goes no further. */
  const step = () => {
    if (options.signal?.aborted) throw new DeployError('start-timeout', 'the cluster start was interrupted');
  };

  try {
    const etcd = await EtcdCluster.create({ name: 'etcd', size: 3, dir, ports, logDir, binary: programs.etcd });
    const publicEtcd = await EtcdCluster.create({ name: 'public-etcd', size: 1, dir, ports, logDir, binary: programs.etcd });
    const redisPort = await ports.port('redis');
    const database = await ClusterDatabase.create({
      dir,
      ports,
      bin: path.dirname(programs.postgres),
      logDir,
      ...(options.replica && { replica: options.replica }),
      log,
    });
    const rethinkdb = rethinkdbBinary ? await RethinkdbServers.create({ dir, ports, binary: rethinkdbBinary, logDir }) : undefined;
    const redis = new Supervised(
      {
        name: 'redis',
        command: programs.redis,
        args: ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      },
      logDir,
    );
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    const redisAnswering = () => waitFor(() => redisAnswers(redisPort), 'Redis answering', 15_000, { alive: () => redis.alive });
    restartOnExit(etcd, restartPolicy('etcd', restarts.signal));
    restartOnExit(publicEtcd, restartPolicy('public-etcd', restarts.signal));
    if (options.restart) database.restartOnExit(restarts.signal);
    for (const server of rethinkdb?.servers ?? []) restartOnExit(server.process, restartPolicy('rethinkdb', restarts.signal));
    restartOnExit(redis, restartPolicy('redis', restarts.signal, redisAnswering));

    log(
      'info',
      `starting etcd (3 members), the public etcd, Redis and ${rethinkdb ? '3 RethinkDB servers' : `PostgreSQL (replica: ${database.mode})`}`,
    );
    started.push(
      { stop: () => etcd.stop() },
      { stop: () => publicEtcd.stop() },
      { stop: () => redis.stop() },
      { stop: () => (rethinkdb ? rethinkdb.stop() : database.stop()) },
    );
    redis.start();
    await Promise.all([etcd.start(), publicEtcd.start(), rethinkdb ? rethinkdb.start() : database.start(), redisAnswering()]);

    const lbPort = await ports.port('lb');
    const proxyPort = await ports.port('proxy');
    const lbDir = path.join(dir, 'lb');
    const lbSite = path.join(lbDir, 'site.conf');
    const renderer = (name: string, args: string[]) =>
      new Supervised(
        { name, command: process.execPath, args: [path.join(DEPLOY, 'dist/renderer/cli.js'), ...args], cwd: REPO_ROOT },
        logDir,
      );
    const lb = renderer('load-balancer', [
      '--mode',
      'load-balancer',
      '--etcd',
      etcd.endpoints.join(','),
      '--listen',
      `127.0.0.1:${lbPort}`,
      '--dir',
      lbDir,
      '--trust-proxy',
      '127.0.0.1',
      '--register',
      'api,docs',
      '--register-etcd',
      publicEtcd.endpoints.join(','),
      '--advertise',
      `127.0.0.1:${lbPort}`,
      '--register-ttl',
      ttl,
    ]);
    const proxy = renderer('public-proxy', [
      '--mode',
      'proxy',
      '--etcd',
      publicEtcd.endpoints.join(','),
      '--listen',
      `127.0.0.1:${proxyPort}`,
      '--dir',
      path.join(dir, 'proxy'),
      '--domain',
      domain,
    ]);
    const lbUrl = `http://127.0.0.1:${lbPort}`;
    const proxyUrl = `http://127.0.0.1:${proxyPort}`;
    /** Resolves once `program` answers HTTP at `url`, any status. */
    const answering = (program: Supervised, url: string) => () =>
      waitForHttp(`${url}/`, { timeoutMs: 30_000, accept: () => true, alive: () => program.alive });
    restartOnExit(lb, restartPolicy('load-balancer', restarts.signal, answering(lb, lbUrl)));
    restartOnExit(proxy, restartPolicy('public-proxy', restarts.signal, answering(proxy, proxyUrl)));
    step();
    log('info', 'starting the load balancer and the public proxy');
    started.push({ stop: () => lb.stop() }, { stop: () => proxy.stop() });
    lb.start();
    proxy.start();
    await Promise.all([answering(lb, lbUrl)(), answering(proxy, proxyUrl)()]);

    const publicUrl = (name: string) => `http://${name}.${domain}:${proxyPort}`;
    const admin = { login: 'admin', password: await secret(dir, 'admin-password', 18) };
    const storeEnv: Record<string, string> = rethinkdb
      ? { STORE: 'rethinkdb', RETHINKDB_URL: rethinkdb.url, RETHINKDB_SHARDS: '3', RETHINKDB_REPLICAS: '3' }
      : { STORE: 'postgres', DATABASE_URL: database.primary.url };
    const sharedEnv: Record<string, string> = {
      ...storeEnv,
      REDIS_URL: redisUrl,
      JWT_SECRET: await secret(dir, 'jwt-secret', 48),
      ADMIN_LOGIN: admin.login,
      ADMIN_PASSWORD: admin.password,
      HOST: '127.0.0.1',
      TRUST_PROXY: 'loopback',
      CORS_ORIGINS: publicUrl('demo'),
      ETCD_URL: etcd.endpoints.join(','),
      ETCD_TTL: ttl,
      LOG_LEVEL: 'info',
      ...options.nodeEnv,
    };
    let ready: Cluster | undefined;
    /** cluster.json: written once the cluster is up, and again when a node is back from a restart (its pid changed). */
    const writeInfo = async () => {
      if (ready) await writeFile(path.join(dir, 'cluster.json'), `${JSON.stringify(ready.info(), null, 2)}\n`);
    };
    const routedAddresses = async () => upstreamServers(await readFile(lbSite, 'utf8').catch(() => ''));
    const nodes: ApiNode[] = [];
    const makeNode = async (index: number, how: Registration = registration) => {
      const name = `node-${index}`;
      const node = new ApiNode({
        name,
        port: await ports.port(name),
        image,
        repoRoot: REPO_ROOT,
        env: { ...sharedEnv, DATA_DIR: path.join(dir, 'nodes', name) },
        registration: how,
        sidekickScript: path.join(DEPLOY, 'sidekick/news-forum-discovery.sh'),
        logDir,
        routed: async (address) => (await routedAddresses()).includes(address),
      });
      // Back, its pid in cluster.json is the new one.
      restartOnExit(node, restartPolicy('node', restarts.signal, writeInfo));
      nodes.push(node);
      return node;
    };
    started.push({
      stop: async () => {
        await Promise.all(nodes.map((n) => n.stopSidekick()));
        await Promise.all(nodes.map((n) => n.process.stop('SIGTERM', 15_000)));
      },
    });
    step();
    log('info', `starting ${options.nodes ?? 3} API nodes`, { command: image.cmd.join(' ') });
    for (let i = 1; i <= (options.nodes ?? 3); i += 1) await makeNode(i);
    await Promise.all(nodes.map((node) => node.start()));

    const demoPort = await ports.port('demo');
    const demo = new Supervised(
      {
        name: 'demo',
        command: process.execPath,
        args: [path.join(DEPLOY, 'dist/cluster/demo-service.js')],
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          ...sharedEnv,
          ETCD_URL: '',
          PORT: String(demoPort),
          DEMO_THIRD_PARTY_PORT: String(await ports.port('demo-third-party')),
          // Its page's widget goes through the public proxy and the load balancer, as a reader's browser would.
          DEMO_API_URL: publicUrl('api'),
          INSTANCE_NAME: 'demo',
          DATA_DIR: path.join(dir, 'demo'),
          PUBLIC_ETCD_URL: publicEtcd.endpoints.join(','),
          PUBLIC_ETCD_TTL: ttl,
        },
      },
      logDir,
    );
    restartOnExit(demo, restartPolicy('demo', restarts.signal, answering(demo, `http://127.0.0.1:${demoPort}`)));
    step();
    started.push({ stop: () => demo.stop() });
    demo.start();
    log('info', 'waiting for the public proxy to serve api, docs and demo');
    for (const name of ['api', 'docs', 'demo']) {
      await waitFor(
        async () => (await statusWithHost(`${proxyUrl}/${name === 'api' ? 'api' : ''}`, `${name}.${domain}:${proxyPort}`)) < 400,
        `${name}.${domain} through the public proxy`,
        60_000,
        { intervalMs: 100, alive: () => demo.alive && lb.alive && proxy.alive },
      );
    }

    const cluster: Cluster = {
      dir,
      publicUrl,
      publicEtcd: publicEtcd.endpoints,
      admin,
      nodes,
      node(name) {
        const found = nodes.find((n) => n.name === name);
        if (!found) throw new DeployError('bad-option', `no node ${name}`);
        return found;
      },
      database,
      rethinkdb,
      etcd,
      redis: {
        kill: () => redis.kill(),
        async start() {
          redis.start();
          await redisAnswering();
        },
      },
      lbSite,
      routedAddresses,
      async addNode(added = {}) {
        const node = await makeNode(nodes.length + 1, added.registration);
        await node.start();
        return node;
      },
      info: () => ({
        lb: lbUrl,
        proxy: proxyUrl,
        etcd: etcd.endpoints,
        redis: redisUrl,
        database: rethinkdb ? rethinkdb.url : database.primary.url,
        ...(!rethinkdb && database.replica && { replica: database.replica.url }),
        nodes: nodes.map((n) => ({ name: n.name, url: n.url, pid: n.pid })),
      }),
      stop: stopAll,
    };
    step();
    ready = cluster;
    await writeInfo();
    options.signal?.removeEventListener('abort', onAbort);
    return cluster;
  } catch (error) {
    options.signal?.removeEventListener('abort', onAbort);
    await stopAll();
    throw error;
  }
}

/** Whether Redis answers PING on 127.0.0.1:port. */
async function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}
