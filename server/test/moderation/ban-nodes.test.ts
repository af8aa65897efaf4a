import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { RunningServer } from '../../src/server.js';
import { call } from '../support/http-client.js';
import { connectSocket, eventually, record, subscribe, type TestSocket } from '../support/live-client.js';
import { type RedisNodes, startRedisNodes } from '../support/redis-nodes.js';
import { ADMIN } from '../support/server.js';

let nodes: RedisNodes;
let a: RunningServer;
let b: RunningServer;
let admin: string;
const sockets: TestSocket[] = [];

const ADMIN_ENV = { ADMIN_LOGIN: ADMIN.login, ADMIN_PASSWORD: ADMIN.password };
const signUp = (server: RunningServer, login: string) => nodes.signUp(server, login);

async function socketOn(server: RunningServer, token?: string): Promise<TestSocket> {
  const socket = await connectSocket(server.url, token ? { token } : {});
  sockets.push(socket);
  return socket;
}

beforeAll(async () => {
  nodes = await startRedisNodes();
  a = await nodes.node('node-a', ADMIN_ENV);
  b = await nodes.node('node-b', ADMIN_ENV);
  admin = (await call(a.url, 'POST', '/api/authenticate', { body: ADMIN })).body.token;
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await nodes?.stop();
});

test('a ban made on node A refuses writes on both nodes, disconnects the sockets on both, and ends by itself', async () => {
  const spammer = await signUp(a, 'spammer');
  const post = (await call(b.url, 'POST', '/api/posts', { token: spammer, body: { title: 'before the ban' } })).body;
  const onA = await socketOn(a, spammer);
  const onB = await socketOn(b, spammer);
  const bystander = await socketOn(b);
  const gone = [onA, onB].map((socket) => new Promise<string>((resolve) => socket.once('disconnect', resolve)));

  const until = new Date(Date.now() + 4000).toISOString();
  expect((await call(a.url, 'PUT', '/api/users/spammer/ban', { token: admin, body: { until, reason: 'spam' } })).status).toBe(200);
  expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
  expect(bystander.connected).toBe(true);

  const writes: [string, string, unknown][] = [
    ['POST', '/api/posts', { title: 'more spam' }],
    ['PUT', `/api/comments/${post.id}`, { text: 'more spam' }],
    ['POST', `/api/posts/${post.id}/upvotes`, undefined],
    ['PUT', `/api/posts/${post.id}/edit`, { title: 'edited spam' }],
    ['POST', `/api/posts/${post.id}/flags`, { reason: 'other' }],
  ];
  for (const server of [a, b]) {
    for (const [method, path, body] of writes) {
      const refused = await call(server.url, method, path, { token: spammer, body });
      expect([method, path, refused.status, refused.body.bannedUntil]).toEqual([method, path, 403, until]);
    }
  }
  expect((await call(b.url, 'GET', `/api/posts/${post.id}`)).body.commentCount).toBe(0);

  await new Promise((resolve) => setTimeout(resolve, Date.parse(until) - Date.now() + 100));
  expect((await call(b.url, 'POST', '/api/posts', { token: spammer, body: { title: 'reformed' } })).status).toBe(201);
  const log = (await call(b.url, 'GET', '/api/moderation/log', { token: admin })).body.items;
  expect(log[0]).toMatchObject({ action: 'ban', actor: 'admin', targetId: 'spammer', reason: 'spam', detail: { until } });
}, 60_000);

test('a moderator hiding a comment on node A: readers on node B get the placeholder once, moderators the comment whole', async () => {
  const ana = await signUp(a, 'ana');
  const post = (await call(a.url, 'POST', '/api/posts', { token: ana, body: { title: 'thread' } })).body;
  const comment = (await call(a.url, 'PUT', `/api/comments/${post.id}`, { token: ana, body: { text: 'rude' } })).body;
  const reader = await socketOn(b);
  const moderator = await socketOn(b, admin);
  await Promise.all([
    subscribe(reader, { topic: 'comments', postId: post.id }),
    subscribe(moderator, { topic: 'comments', postId: post.id }),
  ]);
  const seen = record(reader, 'commentstream');
  const seenByModerator = record(moderator, 'commentstream');
  expect(
    (await call(a.url, 'POST', `/api/comments/${post.id}/${comment.id}/hide`, { token: admin, body: { reason: 'rude' } })).status,
  ).toBe(200);
  await eventually(() => seen.length > 0 && seenByModerator.length > 0, 5000, 'the hide on node B');
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(seen).toHaveLength(1);
  expect(seen[0]?.new_val).toEqual({
    ...comment,
    author: undefined,
    text: 'removed by a moderator',
    hidden: true,
    hiddenBy: 'moderator',
    version: comment.version + 1,
  });
  expect(seen[0]?.new_val).not.toHaveProperty('author');
  expect(seenByModerator).toHaveLength(1);
  expect(seenByModerator[0]?.new_val).toMatchObject({ text: 'rude', author: 'ana', hidden: true, hiddenBy: 'moderator' });
});

test('two admins demoting each other at once leave one admin', async () => {
  await signUp(a, 'second');
  expect(
    (await call(a.url, 'PUT', '/api/users/second/scopes', { token: admin, body: { scopes: ['read', 'delete', 'admin'] } })).status,
  ).toBe(200);
  const second = (await call(b.url, 'POST', '/api/authenticate', { body: { login: 'second', password: 'second-password' } })).body.token;
  const [one, two] = await Promise.all([
    call(a.url, 'PUT', '/api/users/second/scopes', { token: admin, body: { scopes: [] } }),
    call(b.url, 'PUT', '/api/users/admin/scopes', { token: second, body: { scopes: [] } }),
  ]);
  // The loser is refused: 409 when it passed its scope check before the winner committed, 403 after.
  const statuses = [one.status, two.status].sort();
  expect(statuses[0]).toBe(200);
  expect([403, 409]).toContain(statuses[1]);
  const users = await Promise.all(['admin', 'second'].map((login) => a.services.store.getUser(login)));
  expect(users.filter((user) => user?.scopes.includes('admin'))).toHaveLength(1);
});
