import { readFile, rm } from 'node:fs/promises';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../support/live-client.js';
import { type NodeProcess, startNodeProcess } from '../support/node-process.js';
import { scratchDir, startPostgres, type TestPostgres } from '../support/postgres.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { startRethinkdb, type TestRethinkdb } from '../support/rethinkdb.js';
import { RETHINKDB_AVAILABLE } from '../support/store-adapters.js';

const TRACE_HOOK = fileURLToPath(new URL('../support/module-trace.mjs', import.meta.url));

/** Packages whose loading depends on the configuration, by the folder their files sit in. */
const PACKAGES = {
  pglite: '/node_modules/@electric-sql/pglite/',
  pg: '/node_modules/pg/',
  rethinkdb: '/node_modules/rethinkdb/',
  redis: '/node_modules/redis/',
  redisAdapter: '/node_modules/@socket.io/redis-adapter/',
  swaggerUi: '/node_modules/swagger-ui-dist/',
  etcd: '/node_modules/etcd3/',
};

let postgres: TestPostgres;
let redis: TestRedis;
let rethinkdb: TestRethinkdb | undefined;
beforeAll(async () => {
  [postgres, redis, rethinkdb] = await Promise.all([startPostgres(), startRedis(), RETHINKDB_AVAILABLE ? startRethinkdb() : undefined]);
}, 60_000);
afterAll(async () => {
  await Promise.all([postgres?.stop(), redis?.stop(), rethinkdb?.stop()]);
});

/** A node as its own process, recording every module it loads. */
async function tracedNode(
  env: Record<string, string>,
): Promise<{ node: NodeProcess; loaded: () => Promise<Set<string>>; cleanup: () => Promise<void> }> {
  const trace = path.join(scratchDir(), `news-forum-modules-${process.pid}-${Date.now()}.txt`);
  const node = await startNodeProcess({ ...env, NODE_OPTIONS: `--import ${TRACE_HOOK}`, MODULE_TRACE_FILE: trace });
  const loaded = async () => {
    const urls = (await readFile(trace, 'utf8')).split('\n');
    return new Set(Object.entries(PACKAGES).flatMap(([name, folder]) => (urls.some((url) => url.includes(folder)) ? [name] : [])));
  };
  return {
    node,
    loaded,
    async cleanup() {
      await node.cleanup();
      await rm(trace, { force: true });
    },
  };
}

describe.each([
  { store: 'embedded', withRedis: false },
  { store: 'embedded', withRedis: true },
  { store: 'postgres', withRedis: false },
  { store: 'postgres', withRedis: true },
  ...(RETHINKDB_AVAILABLE ? [{ store: 'rethinkdb', withRedis: false }] : []),
])('a node on the $store store, with Redis: $withRedis', ({ store, withRedis }) => {
  test('is ready, and has loaded the clients of what it uses and nothing else', async () => {
    const env: Record<string, string> = { STORE: store };
    if (store === 'postgres') env.DATABASE_URL = postgres.url;
    if (store === 'rethinkdb') env.RETHINKDB_URL = rethinkdb!.url('start_up');
    if (withRedis) env.REDIS_URL = redis.url;
    const { node, loaded, cleanup } = await tracedNode(env);
    try {
      const ready = await fetch(`${node.url}/readyz`);
      expect(ready.status).toBe(200);
      const { checks } = (await ready.json()) as { checks: Record<string, string> };
      expect(checks).toEqual({ store: 'ok', feed: 'ok', ...(withRedis && { redis: 'ok' }) });

      const modules = await loaded();
      // The trace sees package entry points: what is loaded shows up, so what is absent was not loaded.
      expect(modules.has('pglite')).toBe(store === 'embedded');
      expect(modules.has('pg')).toBe(store === 'postgres');
      expect(modules.has('rethinkdb')).toBe(store === 'rethinkdb');
      expect(modules.has('redis')).toBe(withRedis);
      expect(modules.has('redisAdapter')).toBe(withRedis);
      expect(modules.has('etcd')).toBe(false);

      // Swagger UI's files are read when the docs are first asked for, never loaded as code.
      const docs = await fetch(`${node.url}/docs/`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toMatch(/swagger-ui-bundle\.js/);
      expect((await loaded()).has('swaggerUi')).toBe(false);
      expect(node.stderr()).toBe('');
    } finally {
      await cleanup();
    }
  }, 90_000);
});

/** `database` behind a TCP relay that holds each LISTEN statement for `delayMs`: a feed slow to start hearing commits. */
async function slowToListen(database: string, delayMs: number): Promise<{ url: string; relay: Server }> {
  const target = new URL(database);
  const [host, port] = [target.hostname, Number(target.port)];
  const relay = createServer((client) => {
    const upstream = connect(port, host);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.pipe(client);
    // In order: what follows a held LISTEN waits behind it.
    let sent = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const hold = chunk.includes('LISTEN ') ? delayMs : 0;
      sent = sent.then(async () => {
        if (hold) await new Promise((resolve) => setTimeout(resolve, hold));
        upstream.write(chunk);
      });
    });
    client.on('end', () => void sent.then(() => upstream.end()));
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  target.port = String((relay.address() as AddressInfo).port);
  return { url: target.href, relay };
}

test('a node listens once its change feed hears commits: ready at its first probe, though its LISTEN takes two seconds', async () => {
  const slow = await slowToListen(postgres.url, 2_000);
  const node = await startNodeProcess({ STORE: 'postgres', DATABASE_URL: slow.url });
  try {
    const ready = await fetch(`${node.url}/readyz`);
    expect({ status: ready.status, checks: ((await ready.json()) as { checks: unknown }).checks }).toEqual({
      status: 200,
      checks: { store: 'ok', feed: 'ok' },
    });
  } finally {
    await node.cleanup();
    slow.relay.close();
  }
}, 60_000);

describe('what start-up tells the operator', () => {
  const warnings = (node: NodeProcess) => node.logs.filter((line) => line.level === 'warn').map((line) => String(line.msg));

  test('a node on PostgreSQL signing with a secret of its own says that every node needs the same one', async () => {
    const node = await startNodeProcess({ STORE: 'postgres', DATABASE_URL: postgres.url, JWT_SECRET: '' });
    try {
      expect(warnings(node)).toEqual([expect.stringMatching(/^JWT_SECRET is not set: .*same JWT_SECRET or key pair$/)]);
    } finally {
      await node.cleanup();
    }
    const embedded = await startNodeProcess({ JWT_SECRET: '' });
    await embedded.cleanup();
    expect(warnings(embedded)).toEqual([]);
  }, 60_000);

  test('the admin account is created once; later starts say when ADMIN_PASSWORD or the account is not what they name', async () => {
    const env = { STORE: 'postgres', DATABASE_URL: postgres.url, ADMIN_LOGIN: 'operator', ADMIN_PASSWORD: 'first-password' };
    const nodes: NodeProcess[] = [];
    const start = async (extra: Record<string, string> = {}) => {
      const node = await startNodeProcess({ ...env, ...extra });
      nodes.push(node);
      return node;
    };
    try {
      const first = await start();
      expect(first.logIndex('admin account created')).toBeGreaterThanOrEqual(0);
      const same = await start();
      expect(same.logIndex('admin account created')).toBe(-1);
      const changed = await start({ ADMIN_PASSWORD: 'second-password' });
      await eventually(() => warnings(changed).length > 0, 10_000, 'the warning');
      expect(warnings(changed)).toEqual(['ADMIN_PASSWORD is not the admin account password: it is used only to create the account']);
      expect(changed.logIndex('admin account created')).toBe(-1);
      // A reader's account of that name is no admin account: left as it is, and said.
      const signup = await fetch(`${first.url}/api/users/squatter`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password: 'squatter-password' }),
      });
      expect(signup.status).toBe(201);
      const squatted = await start({ ADMIN_LOGIN: 'squatter' });
      expect(warnings(squatted)).toEqual(['ADMIN_LOGIN names an account without the admin scope: it was left as it is']);
      // The first node saw no warning of its own.
      expect(warnings(same)).toEqual([]);
    } finally {
      for (const node of nodes) await node.cleanup();
    }
  }, 90_000);
});
