import { connect } from 'node:net';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
afterAll(() => t.cleanup());

test('users, posts, votes and comments survive a restart; old tokens still work', async () => {
  t = await startTestServer({ env: { JWT_SECRET: '' } });
  const ana = await t.signUp('ana');
  const bob = await t.signUp('bob');
  const post = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'durable', text: 'body' } })).body;
  await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: bob });
  const comment = (await t.call('PUT', `/api/comments/${post.id}`, { token: bob, body: { text: 'still here' } })).body;
  const before = (await t.call('GET', `/api/posts/${post.id}`, { token: bob })).body;

  await t.stop();
  await t.restart();

  expect((await t.call('GET', '/api/me', { token: ana })).body.login).toBe('ana');
  expect((await t.call('GET', `/api/posts/${post.id}`, { token: bob })).body).toEqual(before);
  expect((await t.call('GET', `/api/comments/${post.id}`)).body.items).toEqual([comment]);
  expect((await t.call('POST', '/api/authenticate', { body: { login: 'bob', password: 'bob-password' } })).status).toBe(200);
  // The vote is remembered: voting again changes nothing.
  const again = (await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: bob })).body;
  expect(again).toMatchObject({ upvotes: 1, version: before.version });
});

test('with the database gone, the API answers 503 problem+json and is not ready', async () => {
  const down = await startTestServer();
  try {
    await down.server.services.store.close();
    for (const path of ['/api/posts', '/api/comments/00000000-0000-4000-8000-000000000000']) {
      const r = await fetch(`${down.url}${path}`);
      expect(r.status).toBe(503);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await r.json()).toMatchObject({ type: 'urn:news-forum:problem:unavailable', status: 503 });
    }
    expect((await fetch(`${down.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${down.url}/healthz`)).status).toBe(200);
  } finally {
    await down.cleanup();
  }
});

test('close() does not wait for a client that never finishes its request', async () => {
  const slow = await startTestServer();
  const socket = connect(slow.server.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write('POST /api/posts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ti');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = Date.now();
  await slow.cleanup();
  expect(Date.now() - started).toBeLessThan(10_000);
  socket.destroy();
});
