import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { PATTERN_WORDS } from '../../src/openapi/issue-details.js';
import { connectSocket, subscribe, type TestSocket } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

// What a validation error says reaches readers as it is (the widget shows it under the form): words, not a
// validator's notation.
let t: TestServer;
let token: string;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  t = await startTestServer();
  token = await t.signUp('wordy');
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await t.cleanup();
});

test('every pattern of the contract has words', () => {
  const patterns = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'pattern' && typeof value === 'string') patterns.add(value);
        else visit(value);
      }
    }
  };
  visit(parse(readFileSync(new URL('../../../openapi.yaml', import.meta.url), 'utf8')));
  expect(patterns.size).toBeGreaterThan(3);
  expect([...patterns].filter((pattern) => !(pattern in PATTERN_WORDS))).toEqual([]);
});

test('bodies: blank, too long, of the wrong type, an address without a host, a missing member', async () => {
  const errorsOf = async (body: unknown) => {
    const answer = await t.call('POST', '/api/posts', { token, body });
    expect(answer.status).toBe(422);
    return answer.body.errors;
  };
  expect(await errorsOf({ title: '   ' })).toEqual([{ pointer: '/body/title', detail: 'must not be blank' }]);
  expect(await errorsOf({ title: 'x'.repeat(301) })).toEqual([{ pointer: '/body/title', detail: 'must be at most 300 characters long' }]);
  expect(await errorsOf({ title: 7 })).toEqual([{ pointer: '/body/title', detail: 'must be a string' }]);
  expect(await errorsOf({ title: 'ok', url: 'http:///nohost' })).toEqual([
    { pointer: '/body/url', detail: 'must be an http or https address with a host' },
  ]);
  expect(await errorsOf({ url: 'https://example.com/' })).toEqual([{ pointer: '/body/title', detail: 'is required' }]);
  expect(await errorsOf({ title: 'ok', colour: 'red' })).toEqual([{ pointer: '/body/colour', detail: 'is not an allowed member' }]);
});

test('text with control characters is refused, posts, comments and edits alike; tabs, line breaks and emoji are text', async () => {
  const words = 'must not hold control characters (tabs and line breaks are fine)';
  const before = (await t.call('GET', '/api/posts?sort=new')).body.items.length;
  for (const body of [{ title: 'bell \u0007' }, { title: 'ok', text: 'escape \u001b[31m' }]) {
    const answer = await t.call('POST', '/api/posts', { token, body });
    expect(answer.status).toBe(422);
    expect(answer.body.errors).toEqual([{ pointer: Object.keys(body).length === 1 ? '/body/title' : '/body/text', detail: words }]);
  }
  // A lone surrogate is no UTF-8 text: the body itself is refused.
  expect((await t.call('POST', '/api/posts', { token, body: { title: 'half \ud83d' } })).status).toBe(400);
  expect((await t.call('GET', '/api/posts?sort=new')).body.items.length).toBe(before);
  const post = await t.call('POST', '/api/posts', { token, body: { title: 'fine \u{1F600}', text: 'a\tb\r\nc' } });
  expect(post.status).toBe(201);
  const comment = await t.call('PUT', `/api/comments/${post.body.id}`, { token, body: { text: 'nul-free \u0001' } });
  expect(comment.status).toBe(422);
  expect(comment.body.errors).toEqual([{ pointer: '/body/text', detail: words }]);
  const edit = await t.call('PUT', `/api/posts/${post.body.id}/edit`, { token, body: { text: '\u007f' } });
  expect(edit.status).toBe(422);
  expect((await t.call('GET', `/api/posts/${post.body.id}`)).body.text).toBe('a\tb\r\nc');
});

test('a member that may be an id or null says so in one sentence', async () => {
  const post = await t.call('POST', '/api/posts', { token, body: { title: 'thread' } });
  const reply = await t.call('PUT', `/api/comments/${post.body.id}`, { token, body: { text: 'hi', parentId: 'not-an-id' } });
  expect(reply.status).toBe(422);
  expect(reply.body.errors).toEqual([{ pointer: '/body/parentId', detail: 'must be an id (a UUID in lower case)' }]);
});

test('query parameters: one of a set, a whole number in bounds, and none the operation does not take', async () => {
  const sort = await t.call('GET', '/api/posts?sort=best');
  expect(sort.body.errors).toEqual([{ pointer: '/query/sort', detail: 'must be one of "hot", "new" or "top"' }]);
  const limit = await t.call('GET', '/api/posts?limit=0');
  expect(limit.body.errors).toEqual([{ pointer: '/query/limit', detail: 'must be at least 1' }]);
  // A parameter the operation does not take is refused, not read as the defaults.
  for (const query of ['limit[]=5', 'srot=new', 'sort[]=top']) {
    const answer = await t.call('GET', `/api/posts?${query}`);
    const name = decodeURIComponent(query.split('=')[0]!);
    expect([query, answer.status, answer.body.errors]).toEqual([
      query,
      400,
      [{ pointer: `/query/${name}`, detail: 'is not a parameter of this operation' }],
    ]);
  }
});

test('a subscription to comments of no valid post names the post id, not the other form of topic', async () => {
  const socket = await connectSocket(t.url);
  sockets.push(socket);
  const ack = await subscribe(socket, { topic: 'comments', postId: 'not-a-uuid' });
  expect(ack.ok).toBe(false);
  expect(ack.ok === false && ack.error.errors).toEqual([{ pointer: '/postId', detail: 'must be an id (a UUID in lower case)' }]);
});

test('a subscription to no known topic says which topics there are; one to posts names only what is wrong with it', async () => {
  const socket = await connectSocket(t.url);
  sockets.push(socket);
  const unknown = await subscribe(socket, { topic: 'votes' } as never);
  expect(unknown.ok === false && unknown.error.errors).toEqual([{ pointer: '/topic', detail: 'must be one of "posts" or "comments"' }]);
  const missing = await subscribe(socket, {} as never);
  expect(missing.ok === false && missing.error.errors).toEqual([{ pointer: '/topic', detail: 'is required' }]);
  const badSort = await subscribe(socket, { topic: 'posts', sort: 'best' } as never);
  expect(badSort.ok === false && badSort.error.errors).toEqual([{ pointer: '/sort', detail: 'must be one of "hot", "new" or "top"' }]);
});
