import { UPSTREAM_PREFIX } from '../../src/discovery/registration.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { freePort } from '../support/free-port.js';
import { eventually } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const TTL = 3;
let etcd: TestEtcd;
const servers: TestServer[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.cleanup()));
  await etcd?.stop();
});

async function start(name: string, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer({
    env: { ETCD_URL: etcd.url, ETCD_TTL: String(TTL), INSTANCE_NAME: name, DEREGISTER_DELAY: '0', ...env },
  });
  servers.push(server);
  return server;
}

const readiness = async (server: TestServer) => {
  const response = await fetch(`${server.url}/readyz`);
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
};

test('a node registers its address under its name on a lease of ETCD_TTL, and close() deletes it', async () => {
  const server = await start('node-a');
  const key = `${UPSTREAM_PREFIX}node-a`;
  await eventually(async () => (await etcd.get(key)) !== undefined, 10_000, 'the key');
  const { value, lease } = (await etcd.get(key))!;
  expect(value).toBe(`127.0.0.1:${server.server.port}`);
  expect(await etcd.lease(lease)).toMatchObject({ grantedTTL: TTL });
  await eventually(async () => (await readiness(server)).status === 200, 10_000, 'ready');
  expect((await readiness(server)).checks).toMatchObject({ store: 'ok', etcd: 'ok' });

  // Kept alive: still there after more than one TTL.
  await new Promise((resolve) => setTimeout(resolve, (TTL + 1) * 1000));
  expect(await etcd.get(key)).toEqual({ value, lease });

  await server.server.close();
  expect(await etcd.get(key)).toBeUndefined();
  expect((await etcd.lease(lease)).TTL).toBe(-1);
});

test('ADVERTISE_ADDR is what gets registered', async () => {
  await start('node-b', { ADVERTISE_ADDR: 'node-b.internal:8080' });
  await eventually(async () => (await etcd.get(`${UPSTREAM_PREFIX}node-b`)) !== undefined, 10_000, 'the key');
  expect((await etcd.get(`${UPSTREAM_PREFIX}node-b`))!.value).toBe('node-b.internal:8080');
});

test('with one of several endpoints down, the node registers through another', async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const server = await start('node-d', { ETCD_URL: `${dead},${etcd.url}` });
  await eventually(async () => (await etcd.get(`${UPSTREAM_PREFIX}node-d`)) !== undefined, 10_000, 'the key');
  await eventually(async () => (await readiness(server)).status === 200, 10_000, 'ready');
});

test('etcd down at start: the node starts and serves, is not ready, and registers when etcd arrives', async () => {
  await etcd.kill();
  const server = await start('node-c');
  expect((await server.call('GET', '/api/posts')).status).toBe(200);
  const down = await readiness(server);
  expect(down).toMatchObject({ status: 503, checks: { store: 'ok', etcd: 'fail' } });

  await etcd.start();
  const arrivedAt = Date.now();
  await eventually(async () => (await etcd.get(`${UPSTREAM_PREFIX}node-c`)) !== undefined, 10_000, 'the key');
  console.log(`etcd up to registered (node started while etcd was down): ${Date.now() - arrivedAt} ms`);
  expect((await etcd.get(`${UPSTREAM_PREFIX}node-c`))!.value).toBe(`127.0.0.1:${server.server.port}`);
  await eventually(async () => (await readiness(server)).status === 200, 10_000, 'ready');
});
