import { generateKeyPairSync } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/config-error.js';
import { startServer } from '../../src/server.js';
import { ADMIN, startTestServer, TEST_SECRET, type TestServer, tempDir } from '../support/server.js';

let t: TestServer;
let ana: string;
let postId: string;
beforeAll(async () => {
  t = await startTestServer();
  ana = await t.signUp('ana');
  postId = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'target' } })).body.id;
});
afterAll(() => t.cleanup());

const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

test('NUL characters anywhere in input are a 400, not a 500, and nothing is stored', async () => {
  const before = (await t.call('GET', '/api/posts?sort=new')).body.items.length;
  expect((await t.call('POST', '/api/authenticate', { body: { login: 'a\u0000b', password: 'whatever-1' } })).status).toBe(400);
  expect((await t.call('PUT', '/api/users/carol', { body: { password: 'carol-password', displayName: 'x\u0000' } })).status).toBe(400);
  expect((await t.call('POST', '/api/posts', { token: ana, body: { title: 'nul \u0000 title' } })).status).toBe(400);
  expect((await t.call('PUT', `/api/comments/${postId}`, { token: ana, body: { text: 'nul \u0000' } })).status).toBe(400);
  expect((await t.call('GET', '/api/users/carol', { token: await t.login(ADMIN.login, ADMIN.password) })).status).toBe(404);
  expect((await t.call('GET', '/api/posts?sort=new')).body.items.length).toBe(before);
});

test('well-formed cursors with out-of-range values are a 400', async () => {
  const id = '00000000-0000-4000-8000-000000000000';
  for (const [path, value] of [
    ['/api/posts?sort=top', ['top', 1e20, '2020-01-01T00:00:00.000Z', id]],
    ['/api/posts?sort=new', ['new', '2020-02-30T00:00:00.000Z', id]],
    [`/api/comments/${postId}?limit=5`, ['comments', '2020-02-30T00:00:00.000Z', id]],
  ] as const) {
    const r = await t.call('GET', `${path}&cursor=${cursor(value)}`);
    expect(r.status).toBe(400);
  }
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

test('a moderator cannot delete an admin', async () => {
  const admin = await t.login(ADMIN.login, ADMIN.password);
  await t.call('PUT', '/api/users/moderator', { token: admin, body: { password: 'moderator-password', scopes: ['read', 'delete'] } });
  const moderator = await t.login('moderator', 'moderator-password');
  expect((await t.call('DELETE', `/api/users/${ADMIN.login}`, { token: moderator })).status).toBe(403);
  expect((await t.call('GET', '/api/me', { token: admin })).status).toBe(200);
});

test('X-Forwarded-For is ignored unless TRUST_PROXY names the peer', async () => {
  const limits = { signupsPerIp: { max: 2, windowMs: 60_000 } };
  const spoofed = async (server: TestServer, n: number) =>
    (
      await server.call('PUT', `/api/users/spoof${n}`, {
        body: { password: 'spoof-password' },
        headers: { 'x-forwarded-for': `10.0.0.${n}` },
      })
    ).status;
  const plain = await startTestServer({ limits });
  try {
    expect([await spoofed(plain, 1), await spoofed(plain, 2), await spoofed(plain, 3)]).toEqual([201, 201, 429]);
  } finally {
    await plain.cleanup();
  }
  const proxied = await startTestServer({ limits, env: { TRUST_PROXY: 'loopback' } });
  try {
    expect([await spoofed(proxied, 1), await spoofed(proxied, 2), await spoofed(proxied, 3)]).toEqual([201, 201, 201]);
  } finally {
    await proxied.cleanup();
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

describe('start-up configuration', () => {
  test('JWT key pairs must suit their algorithm and belong together', () => {
    const pem = (k: { export(o: object): string | Buffer }, type: string) => String(k.export({ type, format: 'pem' }));
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const a = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const b = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const bad = [
      [{ JWT_PRIVATE_KEY: pem(p384.privateKey, 'pkcs8'), JWT_PUBLIC_KEY: pem(p384.publicKey, 'spki') }, 'JWT_PRIVATE_KEY'],
      [{ JWT_PRIVATE_KEY: pem(small.privateKey, 'pkcs8'), JWT_PUBLIC_KEY: pem(small.publicKey, 'spki') }, 'JWT_PRIVATE_KEY'],
      [{ JWT_PRIVATE_KEY: pem(a.privateKey, 'pkcs8'), JWT_PUBLIC_KEY: pem(b.publicKey, 'spki') }, 'JWT_PUBLIC_KEY'],
    ] as const;
    for (const [env, variable] of bad) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      try {
        loadConfig(env);
      } catch (error) {
        expect((error as ConfigError).variable).toBe(variable);
      }
    }
    expect(loadConfig({ JWT_PRIVATE_KEY: pem(a.privateKey, 'pkcs8'), JWT_PUBLIC_KEY: pem(a.publicKey, 'spki') }).jwt).toMatchObject({
      algorithm: 'ES256',
    });
  });

  test('HOST and TRUST_PROXY are validated', () => {
    expect(() => loadConfig({ HOST: 'not a host!' })).toThrow(/^HOST/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/99' })).toThrow(/^TRUST_PROXY/);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
  });

  test('a port in use and an unreachable database are named as configuration errors', async () => {
    const env = { PORT: String(t.server.port), DATA_DIR: await tempDir(), JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent' };
    try {
      await expect(startServer({ env })).rejects.toThrow(/^PORT: .* already in use/);
      await expect(
        startServer({ env: { ...env, PORT: '0', STORE: 'postgres', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } }),
      ).rejects.toThrow(/^DATABASE_URL: cannot open/);
    } finally {
      await rm(env.DATA_DIR, { recursive: true, force: true });
    }
  }, 60_000);
});
