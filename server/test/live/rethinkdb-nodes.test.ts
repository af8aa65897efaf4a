import { rm } from 'node:fs/promises';
import { type RunningServer, startServer } from '../../src/server.js';
import { call } from '../support/http-client.js';
import { applyChanges, connectSocket, eventually, record, subscribe, type TestSocket } from '../support/live-client.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { findRethinkdb, startRethinkdb, type TestRethinkdb } from '../support/rethinkdb.js';
import { RELAXED_LIMITS, TEST_PASSWORD_COST, TEST_SECRET, tempDir } from '../support/server.js';

// Without a binary these tests cannot run; the one line saying so is printed by the jest global setup.
const onRethinkdb = findRethinkdb() ? describe : describe.skip;

onRethinkdb('two API nodes on one RethinkDB cluster and Redis', () => {
  let cluster: TestRethinkdb;
  let redis: TestRedis;
  let a: RunningServer;
  let b: RunningServer;
  const sockets: TestSocket[] = [];
  const dataDirs: string[] = [];

  async function node(name: string): Promise<RunningServer> {
    const dataDir = await tempDir();
    dataDirs.push(dataDir);
    return startServer({
      env: {
        PORT: '0',
        STORE: 'rethinkdb',
        RETHINKDB_URL: cluster.url('live_nodes'),
        REDIS_URL: redis.url,
        JWT_SECRET: TEST_SECRET,
        DATA_DIR: dataDir,
        INSTANCE_NAME: name,
        LOG_LEVEL: 'silent',
      },
      passwordCost: TEST_PASSWORD_COST,
      limits: RELAXED_LIMITS,
      strictResponses: true,
    });
  }

  async function socketOn(server: RunningServer) {
    const socket = await connectSocket(server.url);
    sockets.push(socket);
    return socket;
  }

  async function signUp(server: RunningServer, login: string): Promise<string> {
    expect((await call(server.url, 'PUT', `/api/users/${login}`, { body: { password: `${login}-password` } })).status).toBe(201);
    return (await call(server.url, 'POST', '/api/authenticate', { body: { login, password: `${login}-password` } })).body.token;
  }

  beforeAll(async () => {
    [cluster, redis] = await Promise.all([startRethinkdb(), startRedis()]);
    a = await node('node-a');
    b = await node('node-b');
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.allSettled([a?.close(), b?.close()]);
    await Promise.allSettled([cluster?.stop(), redis?.stop(), ...dataDirs.map((dir) => rm(dir, { recursive: true, force: true }))]);
  });

  test('a change made through A reaches clients on A and on B exactly once', async () => {
    const ana = await signUp(a, 'ana');
    const onA = await socketOn(a);
    const onB = await socketOn(b);
    await Promise.all([subscribe(onA, { topic: 'posts' }), subscribe(onB, { topic: 'posts' })]);
    const seenA = record(onA, 'poststream');
    const seenB = record(onB, 'poststream');
    const post = (await call(a.url, 'POST', '/api/posts', { token: ana, body: { title: 'once' } })).body;
    await eventually(() => seenA.length > 0 && seenB.length > 0, 10_000, 'the insert on both nodes');
    // Long enough for a duplicate, if any, to arrive.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const seen of [seenA, seenB]) {
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ old_val: null, new_val: { id: post.id, version: 1 } });
    }
  });

  test('500 votes through both nodes: both clients end equal to the database', async () => {
    const author = await signUp(a, 'author');
    const post = (await call(a.url, 'POST', '/api/posts', { token: author, body: { title: 'contested' } })).body;
    const voters = await Promise.all(Array.from({ length: 25 }, (_, i) => signUp(i % 2 ? a : b, `toggler${i}`)));
    const onA = await socketOn(a);
    const onB = await socketOn(b);
    const acks = await Promise.all([subscribe(onA, { topic: 'posts', sort: 'new' }), subscribe(onB, { topic: 'posts', sort: 'new' })]);
    const seenA = record(onA, 'poststream');
    const seenB = record(onB, 'poststream');
    await Promise.all(
      voters.map(async (token, i) => {
        for (let round = 0; round < 20; round += 1) {
          const server = (i + round) % 2 ? a : b;
          const voted = await call(server.url, 'POST', `/api/posts/${post.id}/${round % 2 ? 'downvotes' : 'upvotes'}`, { token });
          expect(voted.status).toBe(200);
        }
      }),
    );
    const final = (await call(a.url, 'GET', `/api/posts/${post.id}`)).body;
    delete final.myVote;
    expect(final.version).toBe(501);
    for (const [i, seen] of [seenA, seenB].entries()) {
      await eventually(
        () => seen.some((c) => c.new_val?.id === post.id && c.new_val.version === final.version),
        20_000,
        'the final version',
      );
      const ack = acks[i]!;
      const state = applyChanges(ack.ok && ack.topic === 'posts' ? ack.snapshot : [], seen);
      expect(state.get(post.id)).toEqual(final);
    }
  }, 180_000);

  test('RethinkDB stopped: /readyz is 503 naming the store and writes answer 503 problem+json; back: the nodes recover by themselves', async () => {
    const writer = await signUp(a, 'writer');
    for (const server of cluster.servers) await server.stop();
    const ready = await fetch(`${a.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.store).toBe('fail');
    const refused = await fetch(`${a.url}/api/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'nowhere' }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    for (const server of cluster.servers) await server.start();
    await eventually(
      async () => (await fetch(`${a.url}/readyz`)).status === 200 && (await fetch(`${b.url}/readyz`)).status === 200,
      60_000,
      'both nodes ready again',
    );
    const created = await call(a.url, 'POST', '/api/posts', { token: writer, body: { title: 'after' } });
    expect(created.status).toBe(201);
  }, 180_000);
});
