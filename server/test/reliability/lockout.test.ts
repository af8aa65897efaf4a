import { limitKey } from '../../src/policy/client-address.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  // Client addresses from X-Forwarded-For, as behind the load balancer.
  t = await startTestServer({ env: { TRUST_PROXY: 'loopback' } });
  await t.signUp('owner', 'owner-password');
});
afterAll(() => t.cleanup());

const signIn = (from: string, password: string) =>
  t.call('POST', '/api/authenticate', { body: { login: 'owner', password }, headers: { 'x-forwarded-for': from } });

test('strangers guessing from many addresses do not lock the owner out of an address it signed in from', async () => {
  expect((await signIn('10.0.0.1', 'owner-password')).status).toBe(200);

  // 200 wrong guesses from 20 addresses.
  const statuses: number[] = [];
  for (let a = 0; a < 20; a++) {
    for (let i = 0; i < 10; i++) statuses.push((await signIn(`10.1.0.${a}`, `guess-${a}-${i}`)).status);
  }
  expect(new Set(statuses)).toEqual(new Set([401]));
  // Each guessing address is now throttled, and so is any new address for this account.
  expect((await signIn('10.1.0.0', 'guess-again')).status).toBe(429);
  const stranger = await signIn('10.2.0.1', 'guess-new');
  expect(stranger.status).toBe(429);
  expect(Number(stranger.headers.get('retry-after'))).toBeGreaterThan(0);

  // The owner, with the right password from its known address, is let in.
  expect((await signIn('10.0.0.1', 'owner-password')).status).toBe(200);
});

test('the addresses of one IPv6 /64 count as one client, and an IPv4-mapped address as its IPv4 address', async () => {
  await t.signUp('sixer', 'sixer-password');
  const guess = (from: string) =>
    t.call('POST', '/api/authenticate', { body: { login: 'sixer', password: 'wrong' }, headers: { 'x-forwarded-for': from } });
  // failedLoginsPerLoginAndIp: 10 per 15 minutes, here from ten addresses of one /64.
  for (let i = 1; i <= 10; i++) expect((await guess(`2001:db8:1:2::${i.toString(16)}`)).status).toBe(401);
  expect((await guess('2001:db8:1:2:ffff:ffff:ffff:fffe')).status).toBe(429);
  expect((await guess('2001:db8:1:3::1')).status).toBe(401);

  for (let i = 0; i < 10; i++) expect((await guess('10.9.0.1')).status).toBe(401);
  expect((await guess('::ffff:10.9.0.1')).status).toBe(429);
});

test('limitKey: IPv4 as it is, IPv6 by its /64', () => {
  expect(limitKey('192.0.2.7')).toBe('192.0.2.7');
  expect(limitKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
  expect(limitKey('2001:DB8:a:b:c:d:e:f')).toBe('2001:db8:a:b::/64');
  expect(limitKey('2001:db8:a:b::1')).toBe(limitKey('2001:db8:a:b:ffff::'));
  expect(limitKey(undefined)).toBe('unknown');
});
