import type { RunningServer } from '../../src/server.js';
import { call } from '../support/http-client.js';
import { applyChanges, connectSocket, eventually, record, subscribe, type TestSocket } from '../support/live-client.js';
import { type RedisNodes, startRedisNodes } from '../support/redis-nodes.js';

let nodes: RedisNodes;
let a: RunningServer;
let b: RunningServer;
const sockets: TestSocket[] = [];

async function socketOn(server: RunningServer, token?: string) {
  const socket = await connectSocket(server.url, token ? { token } : {});
  sockets.push(socket);
  return socket;
}

const signUp = (server: RunningServer, login: string) => nodes.signUp(server, login);

/** Waits long enough that a duplicate, if any, would have arrived. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

beforeAll(async () => {
  nodes = await startRedisNodes();
  a = await nodes.node('node-a', { PRESENCE_PERIOD: '200ms' });
  b = await nodes.node('node-b', { PRESENCE_PERIOD: '200ms' });
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await nodes?.stop();
});

test('each node names itself', async () => {
  expect((await call(a.url, 'GET', '/api')).body.instance).toBe('node-a');
  expect((await call(b.url, 'GET', '/api')).body.instance).toBe('node-b');
  expect(((await (await fetch(`${a.url}/readyz`)).json()) as { checks: unknown }).checks).toEqual({ store: 'ok', redis: 'ok', feed: 'ok' });
});

test('clients on node A and node B both receive a change made through A exactly once', async () => {
  const ana = await signUp(a, 'ana');
  const onA = await socketOn(a);
  const onB = await socketOn(b);
  await Promise.all([subscribe(onA, { topic: 'posts' }), subscribe(onB, { topic: 'posts' })]);
  const seenA = record(onA, 'poststream');
  const seenB = record(onB, 'poststream');
  const post = (await call(a.url, 'POST', '/api/posts', { token: ana, body: { title: 'once' } })).body;
  await eventually(() => seenA.length > 0 && seenB.length > 0, 5000, 'the insert on both nodes');
  await settle();
  for (const seen of [seenA, seenB]) {
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ old_val: null, new_val: { id: post.id, version: 1 } });
  }
});

test('over 500 votes, each client gets each version at most once and ends at the database state', async () => {
  const author = await signUp(a, 'author');
  const post = (await call(a.url, 'POST', '/api/posts', { token: author, body: { title: 'contested' } })).body;
  const voters = await Promise.all(Array.from({ length: 25 }, (_, i) => signUp(i % 2 ? a : b, `toggler${i}`)));
  const onA = await socketOn(a);
  const onB = await socketOn(b);
  const acks = await Promise.all([subscribe(onA, { topic: 'posts', sort: 'new' }), subscribe(onB, { topic: 'posts', sort: 'new' })]);
  const seenA = record(onA, 'poststream');
  const seenB = record(onB, 'poststream');
  // 25 voters × 20 alternating votes = 500 votes, every one a change.
  await Promise.all(
    voters.map(async (token, i) => {
      for (let round = 0; round < 20; round += 1) {
        const server = (i + round) % 2 ? a : b;
        const r = await call(server.url, 'POST', `/api/posts/${post.id}/${round % 2 ? 'downvotes' : 'upvotes'}`, { token });
        expect(r.status).toBe(200);
      }
    }),
  );
  const final = (await call(a.url, 'GET', `/api/posts/${post.id}`)).body;
  delete final.myVote;
  expect(final.version).toBe(501);
  for (const seen of [seenA, seenB]) {
    await eventually(() => seen.some((c) => c.new_val?.id === post.id && c.new_val.version === final.version), 10_000, 'the final version');
  }
  await settle();
  for (const [i, seen] of [seenA, seenB].entries()) {
    const versions = seen.filter((c) => c.new_val?.id === post.id).map((c) => c.new_val.version);
    expect(versions.length).toBe(new Set(versions).size);
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    const ack = acks[i]!;
    const state = applyChanges(ack.ok && ack.topic === 'posts' ? ack.snapshot : [], seen);
    expect(state.get(post.id)).toEqual(final);
  }
}, 120_000);

test("deleting a user on node A disconnects that user's socket on node B", async () => {
  const adminToken = await makeAdmin();
  const eve = await signUp(b, 'eve');
  const eveSocket = await socketOn(b, eve);
  const bystander = await socketOn(b);
  const gone = new Promise<string>((resolve) => eveSocket.once('disconnect', resolve));
  expect((await call(a.url, 'DELETE', '/api/users/eve', { token: adminToken })).status).toBe(204);
  expect(await gone).toBe('io server disconnect');
  expect(bystander.connected).toBe(true);
});

/** An account with every scope, made the way operators do: through ADMIN_LOGIN on a node. */
async function makeAdmin(): Promise<string> {
  const operator = await nodes.node('operator', { ADMIN_LOGIN: 'root', ADMIN_PASSWORD: 'root-password-123' });
  await operator.close();
  return (await call(a.url, 'POST', '/api/authenticate', { body: { login: 'root', password: 'root-password-123' } })).body.token;
}

describe('faults', () => {
  test('PostgreSQL restarts under running nodes: the feed reopens and a subscriber converges without reconnecting', async () => {
    const voter = await signUp(a, 'survivor');
    const post = (await call(a.url, 'POST', '/api/posts', { token: voter, body: { title: 'through a restart' } })).body;
    const socket = await socketOn(b);
    let state = new Map<string, any>();
    let resyncs = 0;
    const changes: any[] = [];
    const resubscribe = async () => {
      const ack = await subscribe(socket, { topic: 'posts', sort: 'new', limit: 100 });
      if (ack.ok && ack.topic === 'posts') state = applyChanges(ack.snapshot, []);
    };
    socket.on('poststream', (change) => {
      changes.push(change);
      state = applyChangesTo(state, change);
    });
    socket.on('resync', () => {
      resyncs += 1;
      void resubscribe();
    });
    await resubscribe();
    await nodes.pg.restart();
    // The nodes' pools and feeds notice the restart and reconnect on their own.
    await eventually(
      async () => (await fetch(`${a.url}/readyz`)).status === 200 && (await fetch(`${b.url}/readyz`)).status === 200,
      30_000,
      'both nodes ready',
    );
    let voted: any;
    await eventually(
      async () => {
        const r = await fetch(`${a.url}/api/posts/${post.id}/upvotes`, { method: 'POST', headers: { authorization: `Bearer ${voter}` } });
        if (r.status === 200) voted = await r.json();
        return r.status === 200;
      },
      30_000,
      'a vote after the restart',
    );
    await eventually(() => state.get(post.id)?.version === voted.version, 15_000, 'the vote on the subscriber');
    expect(socket.connected).toBe(true);
    expect(state.get(post.id)).toMatchObject({ upvotes: 1, version: voted.version });
    expect(resyncs + changes.length).toBeGreaterThan(0);
  }, 120_000);

  test('Redis killed: single-node delivery goes on and the node is not ready; Redis back: cross-node features return', async () => {
    const writer = await signUp(a, 'writer');
    const onA = await socketOn(a);
    await subscribe(onA, { topic: 'posts' });
    const seen = record(onA, 'poststream');
    await nodes.redis.kill();
    await eventually(async () => (await fetch(`${a.url}/readyz`)).status === 503, 10_000, 'not ready');
    const readiness = (await (await fetch(`${a.url}/readyz`)).json()) as { checks: Record<string, string> };
    expect(readiness.checks.redis).toMatch(/^fail/);
    const post = (await call(a.url, 'POST', '/api/posts', { token: writer, body: { title: 'without redis' } })).body;
    await eventually(() => seen.some((c) => c.new_val?.id === post.id), 5000, 'delivery without Redis');

    await nodes.redis.start();
    await eventually(
      async () => (await fetch(`${a.url}/readyz`)).status === 200 && (await fetch(`${b.url}/readyz`)).status === 200,
      20_000,
      'ready again',
    );
    const adminToken = await makeAdmin();
    const mallory = await signUp(a, 'mallory');
    const malSocket = await socketOn(b, mallory);
    const gone = new Promise<string>((resolve) => malSocket.once('disconnect', resolve));
    expect((await call(a.url, 'DELETE', '/api/users/mallory', { token: adminToken })).status).toBe(204);
    expect(await gone).toBe('io server disconnect');
  }, 120_000);
});

function applyChangesTo(state: Map<string, any>, change: any): Map<string, any> {
  const doc = change.new_val ?? change.old_val;
  const held = state.get(doc.id);
  if (held && held.version >= (change.new_val ? change.new_val.version : doc.version + 1)) return state;
  if (change.new_val) state.set(doc.id, change.new_val);
  else state.delete(doc.id);
  return state;
}
