import { type RunningServer, startServer } from '../../src/server.js';
import { connectSocket, eventually, record, subscribe, type TestSocket } from '../support/live-client.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { ADMIN, RELAXED_LIMITS, TEST_PASSWORD_COST, TEST_SECRET, tempDir } from '../support/server.js';

/** Three nodes on one PostgreSQL and one Redis, as a cluster runs. */
let postgres: TestPostgres;
let redis: TestRedis;
let nodes: RunningServer[] = [];
let dataDir: string;
const sockets: TestSocket[] = [];
/** Milliseconds from a sign-out answered on one node to its token refused on another. */
const revocationTimes: number[] = [];

async function startNodes(): Promise<RunningServer[]> {
  return Promise.all(
    [1, 2, 3].map((n) =>
      startServer({
        env: {
          PORT: '0',
          HOST: '127.0.0.1',
          DATA_DIR: dataDir,
          STORE: 'postgres',
          DATABASE_URL: postgres.url,
          REDIS_URL: redis.url,
          JWT_SECRET: TEST_SECRET,
          ADMIN_LOGIN: ADMIN.login,
          ADMIN_PASSWORD: ADMIN.password,
          INSTANCE_NAME: `node-${n}`,
          LOG_LEVEL: 'silent',
        },
        passwordCost: TEST_PASSWORD_COST,
        limits: RELAXED_LIMITS,
        strictResponses: true,
      }),
    ),
  );
}

beforeAll(async () => {
  [postgres, redis, dataDir] = await Promise.all([startPostgres(), startRedis(), tempDir('news-forum-revocation-')]);
  nodes = await startNodes();
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await Promise.all(nodes.map((node) => node.close()));
  await Promise.all([postgres?.stop(), redis?.stop()]);
  if (revocationTimes.length > 0) console.info(`sign-out on one node → refused on another: ${revocationTimes.join(', ')} ms`);
}, 30_000);

interface Answer {
  status: number;
  body: any;
}

async function api(node: RunningServer, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${node.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

async function login(node: RunningServer, name: string, password = `${name}-password`): Promise<string> {
  const session = await api(node, 'POST', '/api/authenticate', { body: { login: name, password } });
  expect(session.status).toBe(200);
  return session.body.token as string;
}

async function signUp(node: RunningServer, name: string): Promise<string> {
  expect((await api(node, 'PUT', `/api/users/${name}`, { body: { password: `${name}-password` } })).status).toBe(201);
  return login(node, name);
}

/** A socket on `node` that records when the server disconnects it. */
async function liveSocket(node: RunningServer, token: string): Promise<{ socket: TestSocket; dropped: () => boolean }> {
  const socket = await connectSocket(node.url, { token });
  sockets.push(socket);
  let dropped = false;
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') dropped = true;
  });
  return { socket, dropped: () => dropped };
}

const me = (node: RunningServer, token: string) => api(node, 'GET', '/api/me', { token });

const tokens: Record<string, string> = {};

test('sign-out on one node: the token is refused on another within a second and its socket there is disconnected', async () => {
  const [a, b, c] = nodes as [RunningServer, RunningServer, RunningServer];
  const token = await signUp(a, 'leaver');
  const other = await login(c, 'leaver');
  const onB = await liveSocket(b, token);
  const otherOnC = await liveSocket(c, other);
  expect((await me(b, token)).status).toBe(200);

  expect((await api(a, 'DELETE', '/api/authenticate', { token })).status).toBe(204);
  const signedOut = Date.now();
  await eventually(async () => (await me(b, token)).status === 401, 5_000, 'the token to be refused on B');
  revocationTimes.push(Date.now() - signedOut);
  await eventually(onB.dropped, 5_000, 'the socket on B to be disconnected');
  const refused = await me(c, token);
  expect(refused.status).toBe(401);
  expect(refused.body.detail).toBe('The token has been revoked');
  // Signing out again is refused like any use of a revoked token.
  expect((await api(b, 'DELETE', '/api/authenticate', { token })).status).toBe(401);
  // A revoked token opens no socket.
  await expect(connectSocket(c.url, { token })).rejects.toMatchObject({ data: { status: 401 } });

  // The account's other session is untouched.
  expect((await me(b, other)).status).toBe(200);
  expect(otherOnC.dropped()).toBe(false);
  expect(otherOnC.socket.connected).toBe(true);
  tokens.signedOut = token;
  tokens.stillValid = other;
}, 30_000);

test('a password change ends every older token on every node and their sockets; the new session works everywhere', async () => {
  const [a, b, c] = nodes as [RunningServer, RunningServer, RunningServer];
  const first = await signUp(a, 'changer');
  const second = await login(b, 'changer');
  const onC = await liveSocket(c, second);

  const changed = await api(b, 'PUT', '/api/me/password', {
    token: first,
    body: { oldPassword: 'changer-password', newPassword: 'a-brand-new-password' },
  });
  expect(changed.status).toBe(200);
  expect(changed.body.user.login).toBe('changer');
  const fresh = changed.body.token as string;

  for (const node of nodes) {
    await eventually(
      async () => (await me(node, first)).status === 401 && (await me(node, second)).status === 401,
      5_000,
      'older tokens refused',
    );
    expect((await me(node, fresh)).status).toBe(200);
  }
  await eventually(onC.dropped, 5_000, 'the socket of an older token to be disconnected');
  expect((await api(c, 'POST', '/api/authenticate', { body: { login: 'changer', password: 'changer-password' } })).status).toBe(401);
  expect((await login(a, 'changer', 'a-brand-new-password')).length).toBeGreaterThan(0);
  // The new session's socket stays.
  const newOnA = await liveSocket(a, fresh);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(newOnA.socket.connected).toBe(true);
  tokens.beforeChange = first;
  tokens.afterChange = fresh;
}, 30_000);

test('bad password changes answer 4xx and change nothing', async () => {
  const [a, b] = nodes as [RunningServer, RunningServer];
  const token = await signUp(a, 'careful');
  const change = (body: unknown) => api(b, 'PUT', '/api/me/password', { token, body });

  const wrong = await change({ oldPassword: 'not-my-password', newPassword: 'another-good-password' });
  expect(wrong.status).toBe(403);
  expect(wrong.body.detail).toBe('The current password is wrong');
  expect((await change({ oldPassword: 'careful-password', newPassword: 'short' })).status).toBe(422);
  const same = await change({ oldPassword: 'careful-password', newPassword: 'careful-password' });
  // The pointer names the member as every validation error does: from the request's root.
  expect([same.status, same.body.errors]).toEqual([422, [{ pointer: '/body/newPassword', detail: 'must differ from oldPassword' }]]);
  expect((await change({ oldPassword: 'careful-password' })).status).toBe(422);
  expect(
    (await api(b, 'PUT', '/api/me/password', { body: { oldPassword: 'careful-password', newPassword: 'another-good-password' } })).status,
  ).toBe(401);
  expect((await api(b, 'PUT', '/api/me/password', { token, body: 'not json at all' })).status).toBe(400);

  // Nothing changed: the token works everywhere and the old password signs in.
  for (const node of nodes) expect((await me(node, token)).status).toBe(200);
  expect((await login(b, 'careful', 'careful-password')).length).toBeGreaterThan(0);
}, 30_000);

test('an admin ends every session of an account on every node; others may not; the account signs in again', async () => {
  const [a, b, c] = nodes as [RunningServer, RunningServer, RunningServer];
  const admin = await login(a, ADMIN.login, ADMIN.password);
  const first = await signUp(b, 'suspect');
  const second = await login(c, 'suspect');
  const onB = await liveSocket(b, first);
  const onC = await liveSocket(c, second);
  const bystander = await signUp(a, 'bystander');

  expect((await api(a, 'DELETE', '/api/users/suspect/sessions', { token: bystander })).status).toBe(403);
  expect((await api(a, 'DELETE', '/api/users/nobody-here/sessions', { token: admin })).status).toBe(404);
  expect((await api(a, 'DELETE', '/api/users/NOT%20A%20LOGIN/sessions', { token: admin })).status).toBe(400);
  for (const node of nodes) expect((await me(node, first)).status).toBe(200);

  expect((await api(a, 'DELETE', '/api/users/suspect/sessions', { token: admin })).status).toBe(204);
  for (const node of nodes) {
    await eventually(
      async () => (await me(node, first)).status === 401 && (await me(node, second)).status === 401,
      5_000,
      'tokens refused',
    );
  }
  await eventually(() => onB.dropped() && onC.dropped(), 5_000, "the account's sockets on both nodes to be disconnected");
  expect((await me(c, bystander)).status).toBe(200);
  expect((await me(b, await login(c, 'suspect'))).status).toBe(200);
  tokens.endedByAdmin = first;
}, 30_000);

test("notices lost while Redis is away: the signed-out, demoted and deleted accounts' sockets on another node end once it is back", async () => {
  const [a, b] = nodes as [RunningServer, RunningServer];
  const admin = await login(a, ADMIN.login, ADMIN.password);
  const moderator = { password: 'blip-moderator-password', scopes: ['read', 'delete'] };
  expect((await api(a, 'PUT', '/api/users/blip-moderator', { token: admin, body: moderator })).status).toBe(201);
  const [leaver, demoted, deleted, author] = await Promise.all([
    signUp(a, 'blip-leaver'),
    login(a, 'blip-moderator'),
    signUp(a, 'blip-deleted'),
    signUp(a, 'blip-author'),
  ]);
  const onB = [await liveSocket(b, leaver), await liveSocket(b, demoted), await liveSocket(b, deleted)] as const;
  const demotedOnB = onB[1].socket;
  expect((await subscribe(demotedOnB, { topic: 'posts' })).ok).toBe(true);
  const changes = record(demotedOnB, 'poststream');
  const hiddenSeen = () => changes.filter((change) => change.new_val?.hidden).length;
  const postHidden = async (title: string) => {
    const post = (await api(a, 'POST', '/api/posts', { token: author, body: { title } })).body;
    expect((await api(a, 'POST', `/api/posts/${post.id}/hide`, { token: admin, body: { reason: 'test' } })).status).toBe(200);
    return post.id as string;
  };
  await postHidden('hidden while a moderator reads');
  await eventually(() => hiddenSeen() === 1, 5_000, 'the moderator to get the hidden post');

  await redis.kill();
  expect((await api(a, 'DELETE', '/api/authenticate', { token: leaver })).status).toBe(204);
  expect((await api(a, 'PUT', '/api/users/blip-moderator/scopes', { token: admin, body: { scopes: ['read'] } })).status).toBe(200);
  expect((await api(a, 'DELETE', '/api/users/blip-deleted', { token: admin })).status).toBe(204);
  await redis.start();

  await eventually(() => onB.every(({ dropped }) => dropped()), 20_000, 'the three sockets on B to be disconnected');
  // Reconnected, the demoted account reads as anyone does: no hidden post, in its snapshot or live.
  const again = (await liveSocket(b, demoted)).socket;
  const snapshot = await subscribe(again, { topic: 'posts' });
  expect(snapshot).toMatchObject({ ok: true, topic: 'posts' });
  if (snapshot.ok && snapshot.topic === 'posts') expect(snapshot.snapshot.filter((post) => post.hidden)).toEqual([]);
  const live = record(again, 'poststream');
  await postHidden('hidden after the demotion');
  const shown = (await api(a, 'POST', '/api/posts', { token: author, body: { title: 'shown after the demotion' } })).body.id as string;
  await eventually(() => live.some((change) => change.new_val?.id === shown), 5_000, 'the shown post on the reconnected socket');
  expect(live.filter((change) => change.new_val?.hidden).map((change) => change.new_val)).toEqual([]);
  expect(hiddenSeen()).toBe(1);
}, 60_000);

test('after every node restarts, revoked tokens stay revoked and valid ones stay valid', async () => {
  await Promise.all(nodes.map((node) => node.close()));
  nodes = await startNodes();
  for (const node of nodes) {
    for (const name of ['signedOut', 'beforeChange', 'endedByAdmin'] as const)
      expect([name, (await me(node, tokens[name]!)).status]).toEqual([name, 401]);
    for (const name of ['stillValid', 'afterChange'] as const) expect([name, (await me(node, tokens[name]!)).status]).toEqual([name, 200]);
  }
}, 60_000);
