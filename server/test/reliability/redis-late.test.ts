import { connectSocket, eventually, type TestSocket } from '../support/live-client.js';
import { type NodeProcess, startNodeProcess } from '../support/node-process.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startRedis, type TestRedis } from '../support/redis.js';

// Two nodes on one database, both started while Redis is down: what the
// adapter carries between them (here, disconnecting a deleted account's
// sockets on the other node) must work once Redis comes, without a restart.
const ADMIN = { login: 'root-admin', password: 'root-admin-password' };
let redis: TestRedis;
let postgres: TestPostgres;
const nodes: NodeProcess[] = [];
const sockets: TestSocket[] = [];

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  await redis.kill();
  const env = {
    STORE: 'postgres',
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    ADMIN_LOGIN: ADMIN.login,
    ADMIN_PASSWORD: ADMIN.password,
  };
  // One after the other: both migrate the same database.
  nodes.push(await startNodeProcess({ ...env, INSTANCE_NAME: 'late-a' }));
  nodes.push(await startNodeProcess({ ...env, INSTANCE_NAME: 'late-b' }));
}, 90_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await Promise.all(nodes.map((node) => node.cleanup()));
  await Promise.all([redis?.stop(), postgres?.stop()]);
}, 30_000);

async function api(url: string, method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function login(url: string, name: string, password: string): Promise<string> {
  const session = await api(url, 'POST', '/api/authenticate', undefined, { login: name, password });
  expect(session.status).toBe(200);
  return ((await session.json()) as { token: string }).token;
}

test('nodes started while Redis was down disconnect a deleted account on each other once Redis is up', async () => {
  const [a, b] = nodes as [NodeProcess, NodeProcess];
  for (const node of nodes) expect((await fetch(`${node.url}/readyz`)).status).toBe(503);
  await redis.start();
  for (const node of nodes) {
    await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 200, 20_000, `${node.url} to use Redis`);
  }

  expect((await api(a.url, 'PUT', '/api/users/victim', undefined, { password: 'victim-password' })).status).toBe(201);
  const victim = await login(a.url, 'victim', 'victim-password');
  const socket = await connectSocket(b.url, { token: victim });
  sockets.push(socket);
  let reason = '';
  socket.on('disconnect', (why) => (reason = why));

  const admin = await login(a.url, ADMIN.login, ADMIN.password);
  expect((await api(a.url, 'DELETE', '/api/users/victim', admin)).status).toBe(204);
  await eventually(() => reason !== '', 10_000, 'the socket on the other node to be disconnected');
  expect(reason).toBe('io server disconnect');
  for (const node of nodes) {
    expect(node.child.exitCode).toBeNull();
    expect(node.stderr()).toBe('');
  }
}, 90_000);
