import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import jwt from 'jsonwebtoken';
import { publicKeyKid, secretKid } from '../../src/auth/jwt-keys.js';
import { loadConfig } from '../../src/config/config.js';
import { type RunningServer, startServer } from '../../src/server.js';
import type { Store } from '../../src/store/store.js';
import { RELAXED_LIMITS, TEST_PASSWORD_COST } from '../support/server.js';
import { createEmbeddedStore } from '../support/store-template.js';

const OLD_SECRET = 'the-old-secret-of-at-least-32-characters';
const NEW_SECRET = 'the-new-secret-of-at-least-32-characters';
const pem = () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};
const oldPair = pem();
const newPair = pem();

/** One database; nodes with different keys start and stop over it. */
let store: Store;
let dataDir: string;
let cleanupStore: () => Promise<void>;
let node: RunningServer | undefined;
let account: { sub: string; login: string };

beforeAll(async () => {
  ({ store, dataDir, cleanup: cleanupStore } = await createEmbeddedStore());
}, 60_000);
afterAll(async () => {
  await node?.close();
  await cleanupStore();
  await rm(dataDir, { recursive: true, force: true });
});

async function restartWith(keys: Record<string, string>): Promise<RunningServer> {
  await node?.close();
  node = await startServer({
    env: { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...keys },
    store,
    passwordCost: TEST_PASSWORD_COST,
    limits: RELAXED_LIMITS,
    strictResponses: true,
  });
  return node;
}

async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${node!.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

async function login(): Promise<string> {
  const r = await call('POST', '/api/authenticate', { body: { login: 'rotator', password: 'rotator-password' } });
  expect(r.status).toBe(200);
  return r.body.token;
}

const kidOf = (token: string) => jwt.decode(token, { complete: true })?.header.kid;
const claims = () => ({
  ...account,
  scopes: [],
  sv: 0,
  jti: randomUUID(),
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 600,
});

test('a token of the previous secret keeps working after the secret is replaced; the previous secret never signs', async () => {
  await restartWith({ JWT_SECRET: OLD_SECRET });
  expect((await call('PUT', '/api/users/rotator', { body: { password: 'rotator-password' } })).status).toBe(201);
  const before = await login();
  expect(kidOf(before)).toBe(secretKid(OLD_SECRET));
  account = { sub: (jwt.decode(before) as { sub: string }).sub, login: 'rotator' };

  await restartWith({ JWT_SECRET: NEW_SECRET, JWT_PREVIOUS_SECRET: OLD_SECRET });
  expect((await call('GET', '/api/me', { token: before })).status).toBe(200);
  const after = await login();
  expect(kidOf(after)).toBe(secretKid(NEW_SECRET));
  expect(() => jwt.verify(after, OLD_SECRET)).toThrow();
  expect((await call('GET', '/api/me', { token: after })).status).toBe(200);

  // Once the previous secret is dropped, its tokens go; the new ones stay.
  await restartWith({ JWT_SECRET: NEW_SECRET });
  expect((await call('GET', '/api/me', { token: before })).status).toBe(401);
  expect((await call('GET', '/api/me', { token: after })).status).toBe(200);
}, 60_000);

test('a token naming an unknown kid, or none, is refused even when its signature is good', async () => {
  await restartWith({ JWT_SECRET: NEW_SECRET, JWT_PREVIOUS_SECRET: OLD_SECRET });
  const unknown = jwt.sign(claims(), NEW_SECRET, { algorithm: 'HS256', keyid: 'some-other-key' });
  const refused = await call('GET', '/api/me', { token: unknown });
  expect(refused.status).toBe(401);
  expect(refused.body.detail).toBe('The token is signed with an unknown key');
  expect((await call('GET', '/api/me', { token: jwt.sign(claims(), NEW_SECRET, { algorithm: 'HS256' }) })).status).toBe(401);
  // The same claims under the right kid are accepted: the kid alone made the difference.
  expect(
    (await call('GET', '/api/me', { token: jwt.sign(claims(), NEW_SECRET, { algorithm: 'HS256', keyid: secretKid(NEW_SECRET) }) })).status,
  ).toBe(200);
}, 60_000);

test('from a key pair to a secret: the previous public key verifies RS256 only, never as an HMAC secret', async () => {
  await restartWith({ JWT_SECRET: NEW_SECRET, JWT_PREVIOUS_PUBLIC_KEY: oldPair.publicKey });
  const oldKid = publicKeyKid(oldPair.publicKey);
  const signedByOldPair = jwt.sign(claims(), oldPair.privateKey, { algorithm: 'RS256', keyid: oldKid });
  expect((await call('GET', '/api/me', { token: signedByOldPair })).status).toBe(200);
  // Alg confusion: HS256 keyed with the (public) PEM text, under the previous key's kid.
  const [header, payload] = [
    Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: oldKid })).toString('base64url'),
    Buffer.from(JSON.stringify(claims())).toString('base64url'),
  ];
  const { createHmac } = await import('node:crypto');
  const confused = `${header}.${payload}.${createHmac('sha256', oldPair.publicKey).update(`${header}.${payload}`).digest('base64url')}`;
  expect((await call('GET', '/api/me', { token: confused })).status).toBe(401);
  // The current secret's kid with RS256, and the previous key's kid with the current secret: both refused.
  expect(
    (await call('GET', '/api/me', { token: jwt.sign(claims(), oldPair.privateKey, { algorithm: 'RS256', keyid: secretKid(NEW_SECRET) }) }))
      .status,
  ).toBe(401);
  expect((await call('GET', '/api/me', { token: jwt.sign(claims(), NEW_SECRET, { algorithm: 'HS256', keyid: oldKid }) })).status).toBe(401);
  // New tokens are HS256 with the current secret's kid.
  const fresh = await login();
  expect(jwt.decode(fresh, { complete: true })?.header).toMatchObject({ alg: 'HS256', kid: secretKid(NEW_SECRET) });
}, 60_000);

test('from a secret to a key pair: the previous secret verifies HS256 only', async () => {
  await restartWith({ JWT_PRIVATE_KEY: newPair.privateKey, JWT_PUBLIC_KEY: newPair.publicKey, JWT_PREVIOUS_SECRET: OLD_SECRET });
  expect(
    (await call('GET', '/api/me', { token: jwt.sign(claims(), OLD_SECRET, { algorithm: 'HS256', keyid: secretKid(OLD_SECRET) }) })).status,
  ).toBe(200);
  expect(
    (await call('GET', '/api/me', { token: jwt.sign(claims(), OLD_SECRET, { algorithm: 'HS512', keyid: secretKid(OLD_SECRET) }) })).status,
  ).toBe(401);
  // Alg confusion against the current key pair: HS256 keyed with its public PEM, under its kid.
  const newKid = publicKeyKid(newPair.publicKey);
  const [header, payload] = [
    Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: newKid })).toString('base64url'),
    Buffer.from(JSON.stringify(claims())).toString('base64url'),
  ];
  const { createHmac } = await import('node:crypto');
  const confused = `${header}.${payload}.${createHmac('sha256', newPair.publicKey).update(`${header}.${payload}`).digest('base64url')}`;
  expect((await call('GET', '/api/me', { token: confused })).status).toBe(401);
  const fresh = await login();
  expect(jwt.decode(fresh, { complete: true })?.header).toMatchObject({ alg: 'RS256', kid: newKid });
  expect((await call('GET', '/api/me', { token: fresh })).status).toBe(200);
}, 60_000);

test('bad previous keys stop start-up with one line naming the variable', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ JWT_SECRET: NEW_SECRET, JWT_PREVIOUS_SECRET: 'short' }, /^JWT_PREVIOUS_SECRET: must be at least 32 characters/],
    [{ JWT_SECRET: NEW_SECRET, JWT_PREVIOUS_SECRET: NEW_SECRET }, /^JWT_PREVIOUS_SECRET: must differ from JWT_SECRET/],
    [
      { JWT_SECRET: NEW_SECRET, JWT_PREVIOUS_SECRET: OLD_SECRET, JWT_PREVIOUS_PUBLIC_KEY: oldPair.publicKey },
      /^JWT_PREVIOUS_SECRET: set either/,
    ],
    [{ JWT_SECRET: NEW_SECRET, JWT_PREVIOUS_PUBLIC_KEY: 'not a key' }, /^JWT_PREVIOUS_PUBLIC_KEY: is not a PEM public key/],
    [
      { JWT_PRIVATE_KEY: newPair.privateKey, JWT_PUBLIC_KEY: newPair.publicKey, JWT_PREVIOUS_PUBLIC_KEY: newPair.publicKey },
      /^JWT_PREVIOUS_PUBLIC_KEY: must differ from JWT_PUBLIC_KEY/,
    ],
  ];
  for (const [env, message] of cases) expect(() => loadConfig(env)).toThrow(message);
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  expect(() => loadConfig({ JWT_SECRET: NEW_SECRET, JWT_PREVIOUS_PUBLIC_KEY: weak })).toThrow(
    /^JWT_PREVIOUS_PUBLIC_KEY: must be an RSA key/,
  );
  expect(loadConfig({ JWT_SECRET: NEW_SECRET, JWT_PREVIOUS_SECRET: OLD_SECRET }).jwtPrevious).toEqual({
    kind: 'secret',
    secret: OLD_SECRET,
  });
});
