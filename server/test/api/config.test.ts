import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/config-error.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

test('defaults follow DESIGN.md', () => {
  const config = loadConfig({});
  expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', store: 'embedded', redisUrl: undefined, tokenTtlSeconds: 86400, corsOrigins: [], logLevel: 'info' });
  expect(config.dataDir).toMatch(/data$/);
});

test.each([
  ['PORT', { PORT: 'eighty' }],
  ['PORT', { PORT: '70000' }],
  ['STORE', { STORE: 'mongo' }],
  ['DATABASE_URL', { STORE: 'postgres' }],
  ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
  ['RETHINKDB_URL', { STORE: 'rethinkdb' }],
  ['REDIS_URL', { REDIS_URL: 'not a url' }],
  ['JWT_SECRET', { JWT_SECRET: 'short' }],
  ['JWT_PRIVATE_KEY', { JWT_PRIVATE_KEY: 'x', JWT_PUBLIC_KEY: 'y' }],
  ['JWT_PUBLIC_KEY', { JWT_PRIVATE_KEY: 'x' }],
  ['TOKEN_TTL', { TOKEN_TTL: 'forever' }],
  ['TOKEN_TTL', { TOKEN_TTL: '365d' }],
  ['CORS_ORIGINS', { CORS_ORIGINS: 'https://ok.example,not-an-origin' }],
  ['CORS_ORIGINS', { CORS_ORIGINS: 'https://ok.example/path' }],
  ['ADMIN_PASSWORD', { ADMIN_LOGIN: 'root' }],
  ['ADMIN_LOGIN', { ADMIN_LOGIN: 'Root!', ADMIN_PASSWORD: 'long-enough' }],
  ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
])('a bad %s is named', (variable, env) => {
  let error: unknown;
  try {
    loadConfig(env);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).variable).toBe(variable);
  expect((error as ConfigError).message).not.toContain('\n');
});

test('the CLI stops with one line naming the variable', async () => {
  const child = spawn(process.execPath, [cli], { env: { PATH: process.env.PATH, PORT: 'eighty' } });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  expect(code).toBe(1);
  expect(stderr.trim().split('\n')).toEqual(['news-forum: PORT: must be an integer from 0 to 65535 (got "eighty")']);
});
