import { loadConfig } from '../../src/config/config.js';
import { DEFAULT_LIMITS } from '../../src/policy/limits.js';
import { startTestServer } from '../support/server.js';

test('each rate limit has a variable of its own, read as hits per window', () => {
  const config = loadConfig({ RATE_LOGINS_PER_IP: '5/30s', RATE_FAILED_LOGINS_PER_LOGIN: '50/1h', RATE_WRITES_PER_USER: '1000/15m' });
  expect(config.rateLimits).toEqual({
    loginsPerIp: { max: 5, windowMs: 30_000 },
    failedLoginsPerLogin: { max: 50, windowMs: 3_600_000 },
    writesPerUser: { max: 1000, windowMs: 900_000 },
  });
  expect(loadConfig({}).rateLimits).toEqual({});
  for (const bad of ['600', '0/1m', '10/0s', '10/25h', 'ten/1m', '10/1d']) {
    expect(() => loadConfig({ RATE_REQUESTS_PER_IP: bad })).toThrow(/^RATE_REQUESTS_PER_IP: /);
  }
});

test('a limit set in the environment is the one the node enforces', async () => {
  const t = await startTestServer({ env: { RATE_LOGINS_PER_IP: '2/1m' }, limits: {} });
  try {
    await t.call('PUT', '/api/users/ana', { body: { password: 'ana-password' } });
    const signIn = () => t.call('POST', '/api/authenticate', { body: { login: 'ana', password: 'ana-password' } });
    expect((await signIn()).status).toBe(200);
    expect((await signIn()).status).toBe(200);
    expect((await signIn()).status).toBe(429);
    // The others keep their defaults.
    expect(t.server.services.limits.settings.signupsPerIp).toEqual(DEFAULT_LIMITS.signupsPerIp);
  } finally {
    await t.cleanup();
  }
});
