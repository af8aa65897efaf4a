import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { rootCertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/config-error.js';
import { formatHostPort, wildcardAdvertiseHost } from '../../src/discovery/advertise-address.js';
import { startServer } from '../../src/server.js';
import { parseRethinkdbUrl } from '../../src/store/rethinkdb/url.js';
import { TEST_SECRET, tempDir } from '../support/server.js';

/** A file that exists and can be read, whatever it holds. */
const A_FILE = fileURLToPath(import.meta.url);

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** What nodes that share Redis or etcd must have (see the test of it below). */
const SHARED_SECRET = { JWT_SECRET: 'a-secret-every-node-of-the-test-shares-0123' };

test('defaults follow DESIGN.md', () => {
  const config = loadConfig({});
  expect(config).toMatchObject({
    port: 3000,
    host: '127.0.0.1',
    store: 'embedded',
    redisUrl: undefined,
    tokenTtlSeconds: 86400,
    corsOrigins: [],
    logLevel: 'info',
  });
  expect(config.dataDir).toMatch(/data$/);
});

test.each([
  ['PORT', { PORT: 'eighty' }],
  ['PORT', { PORT: '70000' }],
  ['STORE', { STORE: 'mongo' }],
  ['DATABASE_URL', { STORE: 'postgres' }],
  ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
  ['RETHINKDB_URL', { STORE: 'rethinkdb' }],
  ['RETHINKDB_URL', { RETHINKDB_URL: 'rethinkdb://db1:28015' }],
  ['RETHINKDB_URL', { RETHINKDB_URL: 'rethinkdb://db1:28015,/forum' }],
  ['RETHINKDB_URL', { RETHINKDB_URL: 'rethinkdb://db1:99999/forum' }],
  ['RETHINKDB_URL', { RETHINKDB_URL: 'rethinkdb://db1/for-um' }],
  ['RETHINKDB_URL', { RETHINKDB_URL: 'postgres://db1/forum' }],
  ['RETHINKDB_SHARDS', { RETHINKDB_SHARDS: '0' }],
  ['RETHINKDB_SHARDS', { RETHINKDB_SHARDS: 'three' }],
  ['RETHINKDB_REPLICAS', { RETHINKDB_REPLICAS: '65' }],
  ['REDIS_URL', { REDIS_URL: 'not a url' }],
  ['REDIS_URL', { REDIS_URL: 'redis://' }],
  ['REDIS_URL', { REDIS_URL: 'redis:///0' }],
  ['REDIS_URL', { REDIS_URL: 'redis://cache:6379/forum' }],
  ['STORE', { DATABASE_URL: 'postgres://db/forum' }],
  ['STORE', { RETHINKDB_URL: 'rethinkdb://db1/forum' }],
  ['JWT_SECRET', { JWT_SECRET: 'short' }],
  ['JWT_SECRET', { JWT_SECRET: 'change-me-to-a-random-string-of-at-least-32-characters' }],
  // The other placeholders of deploy/fleet/env/*.env.example.
  ['ADMIN_PASSWORD', { ADMIN_LOGIN: 'admin', ADMIN_PASSWORD: 'change-me-too' }],
  ['DATABASE_URL', { STORE: 'postgres', DATABASE_URL: 'postgres://news_forum:change-me@10.0.0.10:5432/news_forum' }],
  ['REDIS_URL', { REDIS_URL: 'redis://:changeme@10.0.0.10:6379' }],
  ['ETCD_URL', { ETCD_URL: 'http://news-forum:change-me-etcd@10.0.0.10:2379' }],
  ['JWT_PRIVATE_KEY', { JWT_PRIVATE_KEY: 'x', JWT_PUBLIC_KEY: 'y' }],
  ['JWT_PUBLIC_KEY', { JWT_PRIVATE_KEY: 'x' }],
  ['TOKEN_TTL', { TOKEN_TTL: 'forever' }],
  ['TOKEN_TTL', { TOKEN_TTL: '365d' }],
  ['CORS_ORIGINS', { CORS_ORIGINS: 'https://ok.example,not-an-origin' }],
  ['CORS_ORIGINS', { CORS_ORIGINS: 'https://ok.example/path' }],
  ['PUBLIC_URL', { PUBLIC_URL: 'forum.example.com' }],
  ['PUBLIC_URL', { PUBLIC_URL: 'https://forum.example.com/forum' }],
  ['PUBLIC_URL', { PUBLIC_URL: 'ftp://forum.example.com' }],
  ['ADMIN_PASSWORD', { ADMIN_LOGIN: 'root' }],
  ['ADMIN_LOGIN', { ADMIN_LOGIN: 'Root!', ADMIN_PASSWORD: 'long-enough' }],
  ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
  ['TRUST_PROXY', { TRUST_PROXY: '99999999999999999999999' }],
  ['ETCD_URL', { ETCD_URL: 'etcd1:2379' }],
  ['ETCD_URL', { ETCD_URL: 'grpc://etcd1:2379' }],
  ['ETCD_URL', { ETCD_URL: 'http://etcd1' }],
  ['ETCD_URL', { ETCD_URL: 'http://etcd1:2379/v3' }],
  ['ETCD_URL', { ETCD_URL: 'http://root@etcd1:2379' }],
  ['ETCD_URL', { ETCD_URL: 'http://:secret@etcd1:2379' }],
  ['ETCD_URL', { ETCD_URL: 'http://root:%zz@etcd1:2379' }],
  ['ETCD_URL', { ETCD_URL: 'http://a:one@etcd1:2379,http://a:two@etcd2:2379' }],
  ['ETCD_CA_FILE', { ETCD_URL: 'https://etcd1:2379', ETCD_CA_FILE: '/nonexistent/ca.pem' }],
  ['ETCD_CA_FILE', { ETCD_URL: 'http://etcd1:2379', ETCD_CA_FILE: A_FILE }],
  ['ETCD_KEY_FILE', { ETCD_URL: 'https://etcd1:2379', ETCD_CERT_FILE: A_FILE }],
  ['ETCD_CERT_FILE', { ETCD_URL: 'https://etcd1:2379', ETCD_KEY_FILE: A_FILE }],
  ['ETCD_URL', { ETCD_URL: 'http://etcd1:2379,https://etcd2:2379' }],
  ['ETCD_URL', { ETCD_URL: 'http://etcd1:2379,,http://etcd2:2379' }],
  ['ETCD_TTL', { ETCD_URL: 'http://etcd1:2379', ETCD_TTL: '1' }],
  ['ETCD_TTL', { ETCD_URL: 'http://etcd1:2379', ETCD_TTL: '301' }],
  ['ETCD_TTL', { ETCD_URL: 'http://etcd1:2379', ETCD_TTL: '10s' }],
  ['ETCD_TTL', { ETCD_URL: 'http://etcd1:2379', ETCD_TTL: '-5' }],
  ['ETCD_TTL', { ETCD_TTL: '0' }],
  ['ADVERTISE_ADDR', { ETCD_URL: 'http://etcd1:2379', ADVERTISE_ADDR: '10.0.0.5' }],
  ['ADVERTISE_ADDR', { ETCD_URL: 'http://etcd1:2379', ADVERTISE_ADDR: '10.0.0.5:0' }],
  ['ADVERTISE_ADDR', { ETCD_URL: 'http://etcd1:2379', ADVERTISE_ADDR: '0.0.0.0:3000' }],
  ['ADVERTISE_ADDR', { ETCD_URL: 'http://etcd1:2379', ADVERTISE_ADDR: '::1:3000' }],
  ['ADVERTISE_ADDR', { ETCD_URL: 'http://etcd1:2379', ADVERTISE_ADDR: '1.2.3.4:80; include /etc/passwd' }],
  ['ADVERTISE_ADDR', { ADVERTISE_ADDR: 'http://10.0.0.5:3000' }],
  ['INSTANCE_NAME', { ETCD_URL: 'http://etcd1:2379', INSTANCE_NAME: 'a/b' }],
  ['INSTANCE_NAME', { ETCD_URL: 'http://etcd1:2379', INSTANCE_NAME: '..' }],
  ['INSTANCE_NAME', { ETCD_URL: 'http://etcd1:2379', INSTANCE_NAME: 'node 1' }],
  ['DEREGISTER_DELAY', { DEREGISTER_DELAY: 'soon' }],
  ['DEREGISTER_DELAY', { DEREGISTER_DELAY: '121s' }],
  ['DEREGISTER_DELAY', { DEREGISTER_DELAY: '2m' }],
  ['EDIT_WINDOW', { EDIT_WINDOW: 'a while' }],
  ['EDIT_WINDOW', { EDIT_WINDOW: '31d' }],
  ['FLAG_THRESHOLD', { FLAG_THRESHOLD: '0' }],
  ['FLAG_THRESHOLD', { FLAG_THRESHOLD: 'three' }],
  ['FLAG_MIN_ACCOUNT_AGE', { FLAG_MIN_ACCOUNT_AGE: 'a day' }],
  ['FLAG_MIN_ACCOUNT_AGE', { FLAG_MIN_ACCOUNT_AGE: '-1' }],
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

test('moderation: EDIT_WINDOW as seconds or with a unit (0 turns author edits off), FLAG_THRESHOLD, FLAG_MIN_ACCOUNT_AGE', () => {
  expect(loadConfig({})).toMatchObject({ editWindowSeconds: 900, flagThreshold: 3, flagMinAccountAgeSeconds: 86_400 });
  expect(loadConfig({ FLAG_MIN_ACCOUNT_AGE: '0' }).flagMinAccountAgeSeconds).toBe(0);
  expect(loadConfig({ FLAG_MIN_ACCOUNT_AGE: '3h' }).flagMinAccountAgeSeconds).toBe(10_800);
  expect(loadConfig({ EDIT_WINDOW: '90', FLAG_THRESHOLD: '5' })).toMatchObject({ editWindowSeconds: 90, flagThreshold: 5 });
  expect(loadConfig({ EDIT_WINDOW: '1h' }).editWindowSeconds).toBe(3600);
  expect(loadConfig({ EDIT_WINDOW: '0' }).editWindowSeconds).toBe(0);
});

test('registration: defaults, the bound port when HOST is concrete, and no delay without etcd', () => {
  expect(loadConfig({})).toMatchObject({ etcd: undefined, deregisterDelayMs: 0 });
  expect(loadConfig({ DEREGISTER_DELAY: '1500ms' }).deregisterDelayMs).toBe(1500);
  expect(
    loadConfig({ ...SHARED_SECRET, ETCD_URL: ' http://10.0.0.1:2379, http://[::1]:2379 ', HOST: '10.0.0.9', INSTANCE_NAME: 'api-1' }),
  ).toMatchObject({
    etcd: { endpoints: ['http://10.0.0.1:2379', 'http://[::1]:2379'], ttlSeconds: 10, advertise: { host: '10.0.0.9', port: undefined } },
    deregisterDelayMs: 2000,
  });
  expect(
    loadConfig({ ...SHARED_SECRET, ETCD_URL: 'https://etcd:443', ETCD_TTL: '60', ADVERTISE_ADDR: '[fd00::5]:8080', DEREGISTER_DELAY: '0' }),
  ).toMatchObject({
    etcd: { endpoints: ['https://etcd:443'], ttlSeconds: 60, advertise: { host: 'fd00::5', port: 8080 } },
    deregisterDelayMs: 0,
  });
});

test("ETCD_URL: credentials on any endpoint are etcd's user for all of them, and no message shows the password", () => {
  expect(loadConfig({ ...SHARED_SECRET, ETCD_URL: 'http://etcd1:2379, http://news-forum:p%40ss%3Aw0rd@etcd2:2379' }).etcd).toMatchObject({
    endpoints: ['http://etcd1:2379', 'http://etcd2:2379'],
    auth: { username: 'news-forum', password: 'p@ss:w0rd' },
  });
  expect(loadConfig({ ...SHARED_SECRET, ETCD_URL: 'http://etcd1:2379' }).etcd?.auth).toBeUndefined();
  expect(() => loadConfig({ ...SHARED_SECRET, ETCD_URL: 'http://node:hunter2@etcd1:2379/v3' })).toThrow('"http://node:***@etcd1:2379/v3"');
  expect(() => loadConfig({ ...SHARED_SECRET, ETCD_URL: 'http://node:hunter2@etcd1:2379,http://node:hunter3@etcd2:2379' })).toThrow(
    /^ETCD_URL: endpoints carry different credentials/,
  );
  for (const url of ['http://node:hunter2@etcd1', 'http://node:hunter2@etcd1:2379?x', 'http://node:hunter2@etcd1:2379/v3']) {
    expect(() => loadConfig({ ...SHARED_SECRET, ETCD_URL: url })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  }
});

test('ETCD_CA_FILE, ETCD_CERT_FILE and ETCD_KEY_FILE are read for https endpoints; without a CA file the system trusts', () => {
  const file = readFileSync(A_FILE);
  expect(
    loadConfig({ ...SHARED_SECRET, ETCD_URL: 'https://etcd1:2379', ETCD_CA_FILE: A_FILE, ETCD_CERT_FILE: A_FILE, ETCD_KEY_FILE: A_FILE })
      .etcd?.tls,
  ).toEqual({
    rootCertificate: file,
    certChain: file,
    privateKey: file,
  });
  expect(loadConfig({ ...SHARED_SECRET, ETCD_URL: 'https://etcd1:2379' }).etcd?.tls).toEqual({
    rootCertificate: Buffer.from(rootCertificates.join('\n')),
  });
  expect(loadConfig({ ...SHARED_SECRET, ETCD_URL: 'http://etcd1:2379' }).etcd?.tls).toBeUndefined();
});

test('on a wildcard HOST the first non-internal address is advertised, or ADVERTISE_ADDR is required', () => {
  const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false) =>
    ({ address, family, internal, netmask: '', mac: '', cidr: null }) as NetworkInterfaceInfo;
  const lo = [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)];
  const eth0 = [nic('fe80::1', 'IPv6'), nic('fd00::2', 'IPv6'), nic('192.0.2.2', 'IPv4')];
  expect(wildcardAdvertiseHost('0.0.0.0', { lo, eth0 })).toBe('192.0.2.2');
  expect(wildcardAdvertiseHost('::', { lo, eth0: eth0.slice(0, 2) })).toBe('fd00::2');
  expect(wildcardAdvertiseHost('0.0.0.0', { lo, eth0: eth0.slice(0, 2) })).toBeUndefined();
  expect(wildcardAdvertiseHost('::', { lo, eth0: eth0.slice(0, 1) })).toBeUndefined();
  // Through loadConfig on this machine: its own address, or ADVERTISE_ADDR required when it has none.
  const own = wildcardAdvertiseHost('0.0.0.0');
  const load = () => loadConfig({ ...SHARED_SECRET, ETCD_URL: 'http://127.0.0.1:2379', HOST: '0.0.0.0' }).etcd!.advertise;
  if (own === undefined) expect(load).toThrow(/^ADVERTISE_ADDR: is required/);
  else expect(load()).toEqual({ host: own, port: undefined });
  expect(formatHostPort('fd00::2', 3000)).toBe('[fd00::2]:3000');
});

async function runCli(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cli], { env: { PATH: process.env.PATH, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stderr };
}

test('the CLI stops with one line naming the variable', async () => {
  const [port, ttl] = await Promise.all([runCli({ PORT: 'eighty' }), runCli({ ETCD_URL: 'http://127.0.0.1:2379', ETCD_TTL: '1' })]);
  expect(port.code).toBe(1);
  expect(port.stderr.trim().split('\n')).toEqual(['news-forum: PORT: must be an integer from 0 to 65535 (got "eighty")']);
  expect(ttl.code).toBe(1);
  expect(ttl.stderr.trim().split('\n')).toEqual(['news-forum: ETCD_TTL: must be a whole number of seconds from 2 to 300 (got "1")']);
});

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
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  const env = { PORT: String(port), DATA_DIR: await tempDir(), JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent' };
  try {
    await expect(startServer({ env })).rejects.toThrow(/^PORT: .* already in use/);
    await expect(
      startServer({ env: { ...env, PORT: '0', STORE: 'postgres', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } }),
    ).rejects.toThrow(/^DATABASE_URL: cannot open the postgres store at 127\.0\.0\.1:1: .*ECONNREFUSED/);
  } finally {
    taken.close();
    await rm(env.DATA_DIR, { recursive: true, force: true });
  }
}, 60_000);

test('STORE=rethinkdb takes several hosts, credentials and the table layout', () => {
  const config = loadConfig({
    STORE: 'rethinkdb',
    RETHINKDB_URL: 'rethinkdb://forum:s%40cret@db1:28015,db2,[::1]:28016/news_forum',
    RETHINKDB_SHARDS: '3',
    RETHINKDB_REPLICAS: '3',
  });
  expect(config).toMatchObject({ store: 'rethinkdb', rethinkdbLayout: { shards: 3, replicas: 3 } });
  expect(parseRethinkdbUrl(config.rethinkdbUrl!)).toEqual({
    hosts: [
      { host: 'db1', port: 28015 },
      { host: 'db2', port: 28015 },
      { host: '::1', port: 28016 },
    ],
    db: 'news_forum',
    user: 'forum',
    password: 's@cret',
  });
  expect(loadConfig({ STORE: 'rethinkdb', RETHINKDB_URL: 'rethinkdb://db1/forum' }).rethinkdbLayout).toEqual({ shards: 1, replicas: 1 });
});

test('nodes that share Redis or etcd need a JWT secret or key pair of their own choosing: each would sign with its own', () => {
  for (const shared of [{ REDIS_URL: 'redis://cache:6379' }, { ETCD_URL: 'http://etcd1:2379' }]) {
    const [name] = Object.keys(shared);
    expect(() => loadConfig(shared)).toThrow(
      new ConfigError(
        'JWT_SECRET',
        `is required with ${name} (several nodes): give every node the same JWT_SECRET, or JWT_PRIVATE_KEY and JWT_PUBLIC_KEY`,
      ),
    );
    expect(loadConfig({ ...shared, ...SHARED_SECRET }).jwt.kind).toBe('secret');
  }
  // One node alone keeps a secret of its own in DATA_DIR.
  expect(loadConfig({ STORE: 'postgres', DATABASE_URL: 'postgres://db/forum' }).jwt.kind).toBe('generated');
});

test('a Redis database number, and a database URL with STORE given, are taken', () => {
  expect(loadConfig({ ...SHARED_SECRET, REDIS_URL: 'redis://cache:6379/2' }).redisUrl).toBe('redis://cache:6379/2');
  expect(loadConfig({ ...SHARED_SECRET, REDIS_URL: 'rediss://cache:6380/' }).redisUrl).toBe('rediss://cache:6380/');
  expect(loadConfig({ STORE: 'embedded', DATABASE_URL: 'postgres://db/forum' }).store).toBe('embedded');
});
