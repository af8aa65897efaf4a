import { rm } from 'node:fs/promises';
import type { Presence } from '@news-forum/protocol';
import { type RunningServer, startServer } from '../../src/server.js';
import { call } from '../support/http-client.js';
import { connectSocket, eventually, subscribe, type TestSocket } from '../support/live-client.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { RELAXED_LIMITS, TEST_PASSWORD_COST, TEST_SECRET, tempDir } from '../support/server.js';

const PERIOD_MS = 200;
let pg: TestPostgres;
let redis: TestRedis;
let a: RunningServer;
let b: RunningServer;
const dataDirs: string[] = [];
const open: TestSocket[] = [];

async function node(name: string): Promise<RunningServer> {
  const dir = await tempDir();
  dataDirs.push(dir);
  return startServer({
    env: {
      PORT: '0',
      STORE: 'postgres',
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      JWT_SECRET: TEST_SECRET,
      DATA_DIR: dir,
      INSTANCE_NAME: name,
      LOG_LEVEL: 'silent',
      PRESENCE_PERIOD: `${PERIOD_MS}ms`,
    },
    passwordCost: TEST_PASSWORD_COST,
    limits: RELAXED_LIMITS,
    strictResponses: true,
  });
}

/** A reader whose latest `presence` events are kept: the last `online`, and the last `reading` per topic. */
async function reader(server: RunningServer) {
  const socket = await connectSocket(server.url);
  open.push(socket);
  const seen = { online: -1, reading: new Map<string, number>() };
  socket.on('presence', (p: Presence) => {
    seen.online = p.online;
    if (p.topic && p.reading !== undefined) seen.reading.set(p.topic.topic === 'posts' ? 'posts' : p.topic.postId, p.reading);
  });
  return { socket, seen };
}

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  [a, b] = await Promise.all([node('presence-a'), node('presence-b')]);
}, 120_000);

afterAll(async () => {
  for (const socket of open) socket.close();
  await Promise.allSettled([a?.close(), b?.close()]);
  await Promise.allSettled([pg?.stop(), redis?.stop(), ...dataDirs.map((dir) => rm(dir, { recursive: true, force: true }))]);
});

test('readers of the front page and of a thread on two nodes are counted together, and the counts fall when they leave', async () => {
  await call(a.url, 'PUT', '/api/users/ana', { body: { password: 'ana-password' } });
  const token = (await call(a.url, 'POST', '/api/authenticate', { body: { login: 'ana', password: 'ana-password' } })).body.token;
  const post = (await call(a.url, 'POST', '/api/posts', { token, body: { title: 'who reads this' } })).body;

  const front = [await reader(a), await reader(a), await reader(b)];
  const thread = [await reader(a), await reader(b), await reader(b), await reader(b)];
  await Promise.all(front.map(({ socket }) => subscribe(socket, { topic: 'posts' })));
  await Promise.all(thread.map(({ socket }) => subscribe(socket, { topic: 'comments', postId: post.id })));
  const everyone = [...front, ...thread];

  let frontReaders = front;
  let threadReaders = thread;
  const counted = (onFront: number, inThread: number) => () => {
    const ok = (r: (typeof everyone)[number], key: string, n: number) =>
      r.seen.online === onFront + inThread && r.seen.reading.get(key) === n;
    return frontReaders.every((r) => ok(r, 'posts', onFront)) && threadReaders.every((r) => ok(r, post.id, inThread));
  };
  await eventually(counted(3, 4), 20 * PERIOD_MS + 5000, '3 on the front page and 4 in the thread, on both nodes');
  expect(everyone.map((r) => r.seen.online)).toEqual(Array(7).fill(7));

  // One front-page reader on A and two thread readers on B leave.
  front[0]!.socket.close();
  thread[1]!.socket.close();
  thread[2]!.socket.close();
  frontReaders = front.slice(1);
  threadReaders = [thread[0]!, thread[3]!];
  await eventually(counted(2, 2), 20 * PERIOD_MS + 5000, 'the counts after three readers left');
  expect(frontReaders.map((r) => r.seen.reading.get('posts'))).toEqual([2, 2]);
  expect(threadReaders.map((r) => r.seen.reading.get(post.id))).toEqual([2, 2]);

  // A reader who unsubscribes is no longer counted in the thread, but is still online.
  await threadReaders[0]!.socket.timeout(5000).emitWithAck('unsubscribe', { topic: 'comments', postId: post.id });
  await eventually(
    () => threadReaders[1]!.seen.reading.get(post.id) === 1 && threadReaders[1]!.seen.online === 4,
    20 * PERIOD_MS + 5000,
    'the thread count after an unsubscribe',
  );

  // A front-page reader who opens the thread (and keeps the posts room) counts in the thread only.
  const opener = frontReaders[0]!;
  await subscribe(opener.socket, { topic: 'comments', postId: post.id });
  await eventually(
    () => frontReaders[1]!.seen.reading.get('posts') === 1 && opener.seen.reading.get(post.id) === 2,
    20 * PERIOD_MS + 5000,
    'the counts after a front-page reader opened the thread',
  );
});
