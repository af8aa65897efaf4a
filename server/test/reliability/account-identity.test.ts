import jwt from 'jsonwebtoken';
import { ADMIN, startTestServer, type TestServer } from '../support/server.js';
import { signTestToken } from '../support/tokens.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.cleanup());

test('a token of an account deleted and created again within the same second does not work for the new account', async () => {
  const admin = await t.login(ADMIN.login, ADMIN.password);
  const old = await t.signUp('twice');
  expect((await t.call('DELETE', '/api/users/twice', { token: admin })).status).toBe(204);
  const created = await t.call('PUT', '/api/users/twice', { body: { password: 'twice-password' } });
  expect(created.status).toBe(201);
  // The old account's token, as if issued in the second the new account was made.
  const iat = Math.floor(Date.parse(created.body.createdAt) / 1000);
  const { iat: _iat, exp: _exp, jti: _jti, ...claims } = jwt.decode(old) as Record<string, unknown>;
  const sameSecond = signTestToken({ ...claims, iat, exp: iat + 3600 });
  const r = await t.call('GET', '/api/me', { token: sameSecond });
  expect(r.status).toBe(401);
  expect(r.headers.get('www-authenticate')).toMatch(/invalid_token/);
  // The new account's own tokens work.
  const fresh = await t.login('twice', 'twice-password');
  expect((await t.call('GET', '/api/me', { token: fresh })).body.login).toBe('twice');
});

test('a restart keeps accounts and their tokens valid', async () => {
  const token = await t.signUp('durable');
  await t.stop();
  await t.restart();
  expect((await t.call('GET', '/api/me', { token })).status).toBe(200);
});
