import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { secretKid } from '../../src/auth/jwt-keys.js';
import { ADMIN, startTestServer, TEST_SECRET, type TestServer } from '../support/server.js';
import { signTestToken } from '../support/tokens.js';

let t: TestServer;
let ana: string;
let bob: string;
let postId: string;
let commentId: string;

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const anaId = () => (jwt.decode(ana) as { sub: string }).sub;

beforeAll(async () => {
  t = await startTestServer();
  ana = await t.signUp('ana');
  bob = await t.signUp('bob');
  postId = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'target' } })).body.id;
  commentId = (await t.call('PUT', `/api/comments/${postId}`, { token: ana, body: { text: 'mine' } })).body.id;
});
afterAll(() => t.cleanup());

async function expect401(token: string | undefined, path = '/api/me') {
  const r = await t.call('GET', path, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  expect(r.status).toBe(401);
  expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
  return r;
}

describe('tokens', () => {
  test("no token → 401 with WWW-Authenticate (not the seed's 403)", async () => {
    await expect401(undefined);
    const r = await t.call('POST', `/api/posts/${postId}/upvotes`);
    expect(r.status).toBe(401);
  });

  test('a malformed Authorization header → 401', async () => {
    for (const header of ['Basic YW5hOnB3', 'Bearer', 'Bearer not a token', `bearer${ana}`]) {
      expect((await t.call('GET', '/api/me', { headers: { authorization: header } })).status).toBe(401);
    }
  });

  test('the scheme is case-insensitive, as HTTP has it (RFC 9110, 11.1)', async () => {
    for (const header of [`bearer ${ana}`, `BEARER ${ana}`, `Bearer  ${ana}`]) {
      const r = await t.call('GET', '/api/me', { headers: { authorization: header } });
      expect({ header, status: r.status, login: r.body.login }).toEqual({ header, status: 200, login: 'ana' });
    }
  });

  test('bad signature → 401', async () => {
    // Signed with another secret, under the kid of the server's.
    const forged = signTestToken(
      { sub: anaId(), login: 'ana', scopes: ['read', 'delete', 'admin'], iat: now(), exp: now() + 3600 },
      { secret: 'another-secret-of-at-least-32-characters', kid: secretKid(TEST_SECRET) },
    );
    await expect401(forged);
    const [h, , s] = ana.split('.');
    await expect401(`${h}.${b64({ login: 'ana', scopes: ['admin'], iat: now(), exp: now() + 3600 })}.${s}`);
  });

  test('alg none → 401', async () => {
    await expect401(`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ login: 'ana', scopes: ['delete'], iat: now(), exp: now() + 3600 })}.`);
  });

  test('a token signed with another algorithm → 401', async () => {
    const claims = { sub: anaId(), login: 'ana', scopes: [], iat: now(), exp: now() + 3600 };
    await expect401(signTestToken(claims, { algorithm: 'HS512' }));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expect401(jwt.sign(claims, privateKey, { algorithm: 'RS256', keyid: secretKid(TEST_SECRET) }));
  });

  test('expired token → 401 saying so', async () => {
    const expired = signTestToken({ sub: anaId(), login: 'ana', scopes: [], iat: now() - 7200, exp: now() - 3600 });
    const r = await expect401(expired);
    expect(r.body.detail).toMatch(/expired/);
  });

  test('token without exp → 401', async () => {
    const forever = signTestToken({ sub: anaId(), login: 'ana', scopes: [], iat: now() });
    const r = await expect401(forever);
    expect(r.body.detail).toMatch(/expiry/);
  });

  test('scope claims cannot be raised by the client', async () => {
    // Re-signing needs the secret; a token with scopes the account lacks (e.g. leaked secret rotated, or a stale token) gets only held scopes.
    const { sub } = jwt.decode(ana) as { sub: string };
    const raised = signTestToken({ sub, login: 'ana', scopes: ['read', 'delete', 'admin'], iat: now(), exp: now() + 3600 });
    expect((await t.call('GET', '/api/users', { token: raised })).status).toBe(403);
    expect((await t.call('DELETE', '/api/users/bob', { token: raised })).status).toBe(403);
    // Asking for scopes at login or sign-up is refused, not honoured.
    expect(
      (await t.call('POST', '/api/authenticate', { body: { login: 'ana', password: 'ana-password', scopes: ['admin'] } })).status,
    ).toBe(422);
    expect((await t.call('PUT', '/api/users/eve', { body: { password: 'eve-password', scopes: ['admin'] } })).status).toBe(401);
    expect((await t.call('PUT', '/api/users/eve', { token: ana, body: { password: 'eve-password', scopes: ['admin'] } })).status).toBe(403);
    expect((await t.call('GET', '/api/me', { token: ana })).body.scopes).toEqual([]);
  });

  test('a token of a deleted account does not work for the next account with that login', async () => {
    const old = await t.signUp('reborn');
    const admin = await t.login(ADMIN.login, ADMIN.password);
    expect((await t.call('DELETE', '/api/users/reborn', { token: admin })).status).toBe(204);
    // Tokens carry seconds: make sure the new account is created in a later second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await t.signUp('reborn', 'another-password');
    expect((await t.call('GET', '/api/me', { token: old })).status).toBe(401);
    expect((await t.call('POST', '/api/posts', { token: old, body: { title: 'as someone else' } })).status).toBe(401);
  });
});

describe('scopes and ownership', () => {
  test('valid token without the scope → 403', async () => {
    expect((await t.call('GET', '/api/users', { token: ana })).status).toBe(403);
    expect((await t.call('GET', '/api/users/bob', { token: ana })).status).toBe(403);
    expect((await t.call('DELETE', '/api/users/bob', { token: ana })).status).toBe(403);
  });

  test("a user deleting another user's comment without delete → 403, and it stays", async () => {
    const r = await t.call('DELETE', `/api/comments/${postId}/${commentId}`, { token: bob });
    expect(r.status).toBe(403);
    expect((await t.call('GET', `/api/comments/${postId}`)).body.items).toHaveLength(1);
  });

  test("a user deleting another user's post without delete → 403, and it stays", async () => {
    expect((await t.call('DELETE', `/api/posts/${postId}`, { token: bob })).status).toBe(403);
    expect((await t.call('GET', `/api/posts/${postId}`)).status).toBe(200);
  });

  test('the admin holds every scope', async () => {
    const admin = await t.login(ADMIN.login, ADMIN.password);
    expect((await t.call('GET', '/api/me', { token: admin })).body.scopes.sort()).toEqual(['admin', 'delete', 'read']);
  });

  test('a moderator cannot delete an admin', async () => {
    const admin = await t.login(ADMIN.login, ADMIN.password);
    await t.call('PUT', '/api/users/moderator', { token: admin, body: { password: 'moderator-password', scopes: ['read', 'delete'] } });
    const moderator = await t.login('moderator', 'moderator-password');
    expect((await t.call('DELETE', `/api/users/${ADMIN.login}`, { token: moderator })).status).toBe(403);
    expect((await t.call('GET', '/api/me', { token: admin })).status).toBe(200);
  });
});

describe('passwords and login', () => {
  test('password hashes never appear in any response', async () => {
    const admin = await t.login(ADMIN.login, ADMIN.password);
    const bodies = await Promise.all([
      t.call('GET', '/api/users', { token: admin }),
      t.call('GET', '/api/users/ana', { token: admin }),
      t.call('GET', '/api/me', { token: ana }),
      t.call('POST', '/api/authenticate', { body: { login: 'ana', password: 'ana-password' } }),
      t.call('PUT', '/api/users/hash-check', { body: { password: 'hash-check-password' } }),
    ]);
    for (const r of bodies) {
      const text = JSON.stringify(r.body);
      expect(text).not.toMatch(/scrypt|passwordHash|password_hash|password/i);
    }
  });

  test('unknown login and wrong password get the same answer', async () => {
    const unknown = await t.call('POST', '/api/authenticate', { body: { login: 'nobody-here', password: 'whatever-1' } });
    const wrong = await t.call('POST', '/api/authenticate', { body: { login: 'ana', password: 'whatever-1' } });
    expect(unknown.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
  });
});
