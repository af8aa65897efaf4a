import jwt from 'jsonwebtoken';
import { connectSocket, eventually, subscribe } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { signTestToken } from '../support/tokens.js';

let t: TestServer;
let ana: string;
const DAY = 24 * 3600;
const now = () => Math.floor(Date.now() / 1000);
/** A token for ana's account signed with the server's secret, with the given claims. */
const forge = (claims: Record<string, unknown>) =>
  signTestToken({ sub: (jwt.decode(ana) as { sub: string }).sub, login: 'ana', scopes: ['read'], ...claims });

beforeAll(async () => {
  t = await startTestServer({ env: { TOKEN_TTL: '24h' } });
  ana = await t.signUp('ana');
  await t.signUp('root', 'root-password');
});
afterAll(() => t.cleanup());

describe('tokens are held to TOKEN_TTL', () => {
  test('a token signed as the server does is accepted', async () => {
    expect((await t.call('GET', '/api/me', { token: ana })).status).toBe(200);
    expect((await t.call('GET', '/api/me', { token: forge({ iat: now(), exp: now() + DAY }) })).status).toBe(200);
  });

  test.each([
    ['issued two TTLs ago, expiring in the year 3000', () => ({ iat: now() - 2 * DAY, exp: 32503680000 })],
    ['issued now, expiring in the year 3000', () => ({ iat: now(), exp: 32503680000 })],
    ['issued an hour in the future', () => ({ iat: now() + 3600, exp: now() + 3600 + 60 })],
  ])('a correctly signed token %s is refused', async (_name, claims) => {
    const r = await t.call('GET', '/api/me', { token: forge(claims()) });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  test('a live socket signed in with a token is disconnected when the token expires, is refused with it, and may come back anonymously', async () => {
    // Past its exp by less than the 30 s a request would still take it: it ends in 2 s.
    const token = forge({ iat: now() - 60, exp: now() - 28 });
    const socket = await connectSocket(t.url, { token });
    try {
      let reason = '';
      socket.on('disconnect', (why) => (reason = why));
      expect((await subscribe(socket, { topic: 'posts' })).ok).toBe(true);
      await eventually(() => reason !== '', 10_000, 'the socket to be disconnected at expiry');
      expect(reason).toBe('io server disconnect');
    } finally {
      socket.close();
    }
    // Coming back with the same token is refused, not admitted to be ended again.
    await expect(connectSocket(t.url, { token })).rejects.toMatchObject({ message: expect.stringMatching(/expired/) });
    const anonymous = await connectSocket(t.url);
    try {
      expect((await subscribe(anonymous, { topic: 'posts' })).ok).toBe(true);
    } finally {
      anonymous.close();
    }
  });
});

describe('JSON bodies are UTF-8', () => {
  const signIn = (charset: string, text: string) =>
    t.call('POST', '/api/authenticate', { raw: text, contentType: `application/json; charset=${charset}` });

  test('a body declared UTF-7 is refused with 415, not decoded', async () => {
    // In UTF-7, "+AHI-" is "r": this would sign in as root.
    const r = await signIn('utf-7', '{"login":"+AHI-oot","password":"root-password"}');
    expect(r.status).toBe(415);
    expect(r.body.type).toBe('urn:news-forum:problem:unsupported-media-type');
  });

  test.each(['utf-16le', 'latin1', 'iso-8859-1'])('charset=%s is refused with 415', async (charset) => {
    expect((await signIn(charset, '{"login":"root","password":"root-password"}')).status).toBe(415);
  });

  test('charset=utf-8, in any case, is accepted', async () => {
    expect((await signIn('UTF-8', '{"login":"root","password":"root-password"}')).status).toBe(200);
    expect((await signIn('utf-8', '{"login":"root","password":"root-password"}')).status).toBe(200);
  });
});

test('a retry with the same Idempotency-Key and the same members in another order returns the first result', async () => {
  const post = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'idempotent', text: 'x' } })).body;
  const parent = (await t.call('PUT', `/api/comments/${post.id}`, { token: ana, body: { text: 'parent' } })).body;
  const headers = { 'idempotency-key': 'reply-once-0001' };
  const first = await t.call('PUT', `/api/comments/${post.id}`, {
    token: ana,
    headers,
    raw: JSON.stringify({ text: 'a reply', parentId: parent.id }),
    contentType: 'application/json',
  });
  expect(first.status).toBe(201);
  const retry = await t.call('PUT', `/api/comments/${post.id}`, {
    token: ana,
    headers,
    raw: `{ "parentId": ${JSON.stringify(parent.id)},\n  "text": "a reply" }`,
    contentType: 'application/json',
  });
  expect(retry.status).toBeLessThan(300);
  expect(retry.body.id).toBe(first.body.id);
  // A different request under the same key is still refused.
  const other = await t.call('PUT', `/api/comments/${post.id}`, {
    token: ana,
    headers,
    body: { text: 'another reply', parentId: parent.id },
  });
  expect(other.status).toBe(409);
});
