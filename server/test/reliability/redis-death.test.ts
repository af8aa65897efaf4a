import { connectSocket, eventually, type TestSocket } from '../support/live-client.js';
import { type NodeProcess, startNodeProcess } from '../support/node-process.js';
import { startRedis, type TestRedis } from '../support/redis.js';

const ADMIN = { login: 'root-admin', password: 'root-admin-password' };
let redis: TestRedis;
let node: NodeProcess;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  redis = await startRedis();
  node = await startNodeProcess({ REDIS_URL: redis.url, ADMIN_LOGIN: ADMIN.login, ADMIN_PASSWORD: ADMIN.password });
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await node?.cleanup();
  await redis?.stop();
}, 30_000);

async function api(method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${node.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function login(name: string, password = `${name}-password`): Promise<string> {
  const session = await api('POST', '/api/authenticate', undefined, { login: name, password });
  expect(session.status).toBe(200);
  return ((await session.json()) as { token: string }).token;
}

async function signUp(name: string): Promise<string> {
  expect((await api('PUT', `/api/users/${name}`, undefined, { password: `${name}-password` })).status).toBe(201);
  return login(name);
}

test('Redis killed while clients vote, then an account deleted: the node stays up and disconnects the account at once', async () => {
  const admin = await login(ADMIN.login, ADMIN.password);
  const [voter, victim] = await Promise.all([signUp('voter'), signUp('victim')]);
  const created = await api('POST', '/api/posts', voter, { title: 'vote on me' });
  const { id } = (await created.json()) as { id: string };
  for (let i = 0; i < 5; i++) sockets.push(await connectSocket(node.url, { token: voter }));
  const victimSocket = await connectSocket(node.url, { token: victim });
  sockets.push(victimSocket);
  let disconnected = false;
  victimSocket.on('disconnect', () => (disconnected = true));

  let running = true;
  let votes = 0;
  const voting = [0, 1, 2, 3].map(async (i) => {
    for (let n = 0; running; n++) {
      const r = await api('POST', `/api/posts/${id}/${(n + i) % 2 === 0 ? 'upvotes' : 'downvotes'}`, voter).catch(() => undefined);
      if (r?.status === 200) votes++;
      await r?.arrayBuffer();
    }
  });
  await eventually(() => votes >= 20, 15_000, 'votes');
  await redis.kill();
  const before = votes;
  await eventually(() => votes >= before + 20 || node.child.exitCode !== null, 15_000, 'votes with Redis down');
  running = false;
  await Promise.all(voting);

  // With Redis down, deleting an account still disconnects its sockets on this node.
  expect((await api('DELETE', '/api/users/victim', admin)).status).toBe(204);
  await eventually(() => disconnected || node.child.exitCode !== null, 5_000, 'the deleted account to be disconnected');
  expect(disconnected).toBe(true);
  // Long enough for the Redis client's own timeouts to fire.
  await new Promise((resolve) => setTimeout(resolve, 6_000));

  expect({ exitCode: node.child.exitCode, signal: node.child.signalCode }).toEqual({ exitCode: null, signal: null });
  expect(node.stderr()).toBe('');
  expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
  const ready = await fetch(`${node.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(((await ready.json()) as { checks: Record<string, string> }).checks.redis).toBe('fail');
  expect((await api('POST', `/api/posts/${id}/upvotes`, voter)).status).toBe(200);

  await redis.start();
  await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 200, 20_000, 'Redis to be used again');
  expect(node.child.exitCode).toBeNull();
}, 60_000);
