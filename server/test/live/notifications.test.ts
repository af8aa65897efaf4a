import type { Notification } from '@news-forum/protocol';
import type { RunningServer } from '../../src/server.js';
import { call } from '../support/http-client.js';
import { connectSocket, eventually, type TestSocket } from '../support/live-client.js';
import { type RedisNodes, startRedisNodes } from '../support/redis-nodes.js';

let nodes: RedisNodes;
const open: TestSocket[] = [];

/** A signed-in socket that records the notifications it receives. */
async function listener(server: RunningServer, token: string) {
  const socket = await connectSocket(server.url, { token });
  open.push(socket);
  const seen: Notification[] = [];
  socket.on('notification', (n) => seen.push(n));
  return seen;
}

/** Waits long enough that a duplicate, if any, would have arrived. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

let a: RunningServer;
let b: RunningServer;
let ana: string;
let bob: string;
let post: { id: string };

beforeAll(async () => {
  nodes = await startRedisNodes();
  [a, b] = await Promise.all([nodes.node('notify-a'), nodes.node('notify-b')]);
  ana = await nodes.signUp(a, 'ana');
  bob = await nodes.signUp(a, 'bob');
  post = (await call(a.url, 'POST', '/api/posts', { token: bob, body: { title: 'a thread' } })).body;
}, 120_000);

afterAll(async () => {
  for (const socket of open) socket.close();
  await nodes?.stop();
});

test("a reply to A's comment reaches A's two sockets on two nodes once each, and is listed after A reconnects", async () => {
  const comment = (await call(a.url, 'PUT', `/api/comments/${post.id}`, { token: ana, body: { text: 'first!' } })).body;
  const [onA, onB] = await Promise.all([listener(a, ana), listener(b, ana)]);
  const bystander = await listener(b, bob);
  const reply = (
    await call(b.url, 'PUT', `/api/comments/${post.id}`, {
      token: bob,
      body: { text: 'Not quite:\n  the changefeed came first.', parentId: comment.id },
    })
  ).body;
  await eventually(() => onA.length > 0 && onB.length > 0, 5000, 'the notification on both nodes');
  await settle();
  const expected = { commentId: reply.id, postId: post.id, actor: 'bob', excerpt: 'Not quite: the changefeed came first.', readAt: null };
  expect(onA).toEqual([expect.objectContaining(expected)]);
  expect(onB).toEqual(onA);
  expect(bystander).toEqual([]);

  for (const s of open) s.close();
  const listed = await call(b.url, 'GET', '/api/me/notifications', { token: ana });
  expect(listed.status).toBe(200);
  expect(listed.body).toEqual({ items: [onA[0]], nextCursor: null, unread: 1 });
});

test('a top-level comment notifies the post author; nobody is notified of their own replies', async () => {
  const before = (await call(a.url, 'GET', '/api/me/notifications', { token: bob })).body;
  const own = (await call(a.url, 'PUT', `/api/comments/${post.id}`, { token: bob, body: { text: 'my own post' } })).body;
  await call(a.url, 'PUT', `/api/comments/${post.id}`, { token: bob, body: { text: 'and my own comment', parentId: own.id } });
  expect((await call(a.url, 'GET', '/api/me/notifications', { token: bob })).body.unread).toBe(before.unread);
  const top = (await call(a.url, 'PUT', `/api/comments/${post.id}`, { token: ana, body: { text: 'hello bob' } })).body;
  const after = (await call(a.url, 'GET', '/api/me/notifications?unread=true', { token: bob })).body;
  expect(after.unread).toBe(before.unread + 1);
  expect(after.items[0]).toMatchObject({ commentId: top.id, actor: 'ana', excerpt: 'hello bob' });
});

test('marking read: by ids (only the caller’s), or all; pages and the unread filter follow', async () => {
  const carl = await nodes.signUp(a, 'carl');
  const mine = (await call(a.url, 'PUT', `/api/comments/${post.id}`, { token: carl, body: { text: 'ask me' } })).body;
  for (let i = 0; i < 5; i += 1) {
    await call(a.url, 'PUT', `/api/comments/${post.id}`, { token: i % 2 ? ana : bob, body: { text: `answer ${i}`, parentId: mine.id } });
  }
  const first = (await call(a.url, 'GET', '/api/me/notifications?limit=3', { token: carl })).body;
  expect(first.items.map((n: Notification) => n.excerpt)).toEqual(['answer 4', 'answer 3', 'answer 2']);
  const second = (await call(a.url, 'GET', `/api/me/notifications?limit=3&cursor=${first.nextCursor}`, { token: carl })).body;
  expect(second.items.map((n: Notification) => n.excerpt)).toEqual(['answer 1', 'answer 0']);
  expect(second.nextCursor).toBeNull();

  // Ana cannot mark Carl's notifications read.
  const theirs = first.items.map((n: Notification) => n.id);
  expect((await call(a.url, 'POST', '/api/me/notifications/read', { token: ana, body: { ids: theirs } })).body.marked).toBe(0);
  expect(await call(a.url, 'POST', '/api/me/notifications/read', { token: carl, body: { ids: theirs.slice(0, 2) } })).toMatchObject({
    status: 200,
    body: { marked: 2, unread: 3 },
  });
  const unread = (await call(a.url, 'GET', '/api/me/notifications?unread=true', { token: carl })).body;
  expect(unread.items.map((n: Notification) => n.excerpt)).toEqual(['answer 2', 'answer 1', 'answer 0']);
  expect((await call(a.url, 'POST', '/api/me/notifications/read', { token: carl, body: { all: true } })).body).toEqual({
    marked: 3,
    unread: 0,
  });
  const all = (await call(a.url, 'GET', '/api/me/notifications', { token: carl })).body;
  expect(all.items.every((n: Notification) => typeof n.readAt === 'string')).toBe(true);
});

test('bad input gets a 4xx and changes nothing; the routes need a token', async () => {
  expect((await call(a.url, 'GET', '/api/me/notifications')).status).toBe(401);
  expect((await call(a.url, 'POST', '/api/me/notifications/read', { body: { all: true } })).status).toBe(401);
  for (const body of [{}, { ids: [] }, { ids: ['not-an-id'] }, { all: false }, { all: true, ids: [] }]) {
    const r = await call(a.url, 'POST', '/api/me/notifications/read', { token: ana, body });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  }
  expect((await call(a.url, 'GET', '/api/me/notifications?cursor=nonsense', { token: ana })).status).toBe(400);
  expect((await call(a.url, 'GET', '/api/me/notifications?limit=0', { token: ana })).status).toBe(400);
  expect((await call(a.url, 'GET', '/api/me/notifications', { token: ana })).body.unread).toBe(1);
});

test('notifications survive a restart of every node', async () => {
  const before = (await call(a.url, 'GET', '/api/me/notifications', { token: ana })).body;
  await Promise.all([a.close(), b.close()]);
  const c = await nodes.node('notify-c');
  expect((await call(c.url, 'GET', '/api/me/notifications', { token: ana })).body).toEqual(before);
});
