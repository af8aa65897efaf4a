import type { Presence } from '@news-forum/protocol';
import type { RunningServer } from '../../src/server.js';
import { call } from '../support/http-client.js';
import { connectSocket, eventually, subscribe, type TestSocket } from '../support/live-client.js';
import { type RedisNodes, startRedisNodes } from '../support/redis-nodes.js';

const PERIOD_MS = 200;
let nodes: RedisNodes;
let a: RunningServer;
let b: RunningServer;
const open: TestSocket[] = [];

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
  nodes = await startRedisNodes();
  const env = { PRESENCE_PERIOD: `${PERIOD_MS}ms` };
  [a, b] = await Promise.all([nodes.node('presence-a', env), nodes.node('presence-b', env)]);
}, 120_000);

afterAll(async () => {
  for (const socket of open) socket.close();
  await nodes?.stop();
});

test('readers of the front page and of a thread on two nodes are counted together, and the counts fall when they leave', async () => {
  const token = await nodes.signUp(a, 'ana');
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
