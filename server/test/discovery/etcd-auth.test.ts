import { Etcd3 } from 'etcd3';
import { type TlsFiles, useTlsEtcd } from '../../../scripts/testing/etcd-tls.js';
import { readEtcdAccess } from '../../src/config/etcd-access.js';
import { Registration, UPSTREAM_PREFIX } from '../../src/discovery/registration.js';
import type { Logger } from '../../src/logger.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { eventually } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

// An etcd with authentication on: the node's user may write only the upstream prefix.
const TTL = 3;
const ROOT = { username: 'root', password: 'root-secret' };
const NODE = { username: 'news-forum', password: 'p@ss:wörd' };
const OUTSIDER = { username: 'outsider', password: 'outsider-secret' };
let etcd: TestEtcd;
let root: Etcd3;
const servers: TestServer[] = [];
const registrations: Registration[] = [];
const logged: unknown[] = [];
const logger: Logger = {
  debug: (msg, fields) => void logged.push({ msg, fields }),
  info: (msg, fields) => void logged.push({ msg, fields }),
  warn: (msg, fields) => void logged.push({ msg, fields }),
  error: (msg, fields) => void logged.push({ msg, fields }),
  child: () => logger,
};

beforeAll(async () => {
  etcd = await startEtcd();
  const admin = new Etcd3({ hosts: [etcd.url] });
  try {
    const role = await admin.role('news-forum-upstream').create();
    await role.grant({ permission: 'Readwrite', range: admin.range({ prefix: UPSTREAM_PREFIX }) });
    await (await admin.user(NODE.username).create(NODE.password)).addRole(role);
    await admin.user(OUTSIDER.username).create(OUTSIDER.password);
    await (await admin.user(ROOT.username).create(ROOT.password)).addRole('root');
    await admin.auth.authEnable();
  } finally {
    admin.close();
  }
  root = new Etcd3({ hosts: [etcd.url], auth: ROOT });
});
afterAll(async () => {
  await Promise.all([...registrations.map((r) => r.stop()), ...servers.map((server) => server.cleanup())]);
  root?.close();
  await etcd?.stop();
});

const url = ({ username, password }: { username: string; password: string }) =>
  etcd.url.replace('://', `://${encodeURIComponent(username)}:${encodeURIComponent(password)}@`);

function register(name: string, auth: { username: string; password: string }): Registration {
  const registration = new Registration({ endpoints: [etcd.url], auth, ttlSeconds: TTL, name, address: '127.0.0.1:4000', logger });
  registrations.push(registration);
  registration.start();
  return registration;
}

test('a node whose ETCD_URL carries its etcd user registers, is ready, and deletes its key on close', async () => {
  const server = await startTestServer({
    env: { ETCD_URL: url(NODE), ETCD_TTL: String(TTL), INSTANCE_NAME: 'node-auth', DEREGISTER_DELAY: '0' },
  });
  servers.push(server);
  const key = `${UPSTREAM_PREFIX}node-auth`;
  await eventually(async () => (await root.get(key).string()) === `127.0.0.1:${server.server.port}`, 10_000, 'the key');
  await eventually(async () => (await fetch(`${server.url}/readyz`)).status === 200, 10_000, 'ready');
  await server.server.close();
  expect(await root.get(key).string()).toBeNull();
});

test.each([
  ['a wrong password', { ...NODE, password: 'not-the-password' }, /authentication failed/],
  ['a user without the prefix', OUTSIDER, /permission denied/],
])('with %s the node is not registered, and its readiness says why, not the password', async (_, auth, reason) => {
  const name = `node-${auth.username}`;
  const registration = register(name, auth);
  await eventually(
    () =>
      registration.check().then(
        () => false,
        (error: Error) => reason.test(error.message),
      ),
    10_000,
    "etcd's reason",
  );
  expect(await root.get(`${UPSTREAM_PREFIX}${name}`).string()).toBeNull();
  expect(JSON.stringify(logged)).not.toContain(auth.password);
  expect(JSON.stringify(logged)).toContain(auth.username);
});

describe('an etcd that speaks only TLS and asks for a client certificate', () => {
  const tls = useTlsEtcd();

  test('a node with ETCD_CA_FILE, ETCD_CERT_FILE and ETCD_KEY_FILE registers over https', async () => {
    const { files } = tls().etcd;
    const server = await startTestServer({
      env: {
        ETCD_URL: tls().etcd.url,
        ETCD_CA_FILE: files.ca,
        ETCD_CERT_FILE: files.clientCert,
        ETCD_KEY_FILE: files.clientKey,
        ETCD_TTL: String(TTL),
        INSTANCE_NAME: 'node-tls',
        DEREGISTER_DELAY: '0',
      },
    });
    servers.push(server);
    await eventually(
      async () => (await tls().reader.get(`${UPSTREAM_PREFIX}node-tls`).string()) === `127.0.0.1:${server.server.port}`,
      10_000,
      'the key',
    );
    await eventually(async () => (await fetch(`${server.url}/readyz`)).status === 200, 10_000, 'ready');
  });

  test.each([
    ['without a client certificate', (files: TlsFiles) => ({ ETCD_CA_FILE: files.ca }), /bad certificate/],
    [
      'trusting another authority',
      (files: TlsFiles) => ({ ETCD_CA_FILE: files.otherCa, ETCD_CERT_FILE: files.clientCert, ETCD_KEY_FILE: files.clientKey }),
      /unable to verify/,
    ],
  ])('%s the node is not registered, and its readiness says why', async (what, settings, reason) => {
    const name = `node-tls-${what.split(' ')[0]}`;
    const access = readEtcdAccess({ ETCD_URL: tls().etcd.url, ...settings(tls().etcd.files) }, 'ETCD')!;
    const registration = new Registration({ ...access, ttlSeconds: TTL, name, address: '127.0.0.1:4000', logger });
    registrations.push(registration);
    registration.start();
    // A few tries: the first comes at once, the next within a second; past them the reason must still be etcd's.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await expect(registration.check()).rejects.toThrow(reason);
    expect(await tls().reader.get(`${UPSTREAM_PREFIX}${name}`).string()).toBeNull();
  });
});
