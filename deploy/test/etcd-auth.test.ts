import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readEtcdAccess } from '@news-forum/server/etcd-access';
import { Etcd3 } from 'etcd3';
import { type TlsFiles, useTlsEtcd } from '../../scripts/testing/etcd-tls.js';
import type { EtcdCluster } from '../src/cluster/etcd-cluster.js';
import { PortBook } from '../src/cluster/ports.js';
import { findPrograms } from '../src/programs.js';
import { type Renderer, startRenderer } from '../src/renderer/renderer.js';
import { registerService, type ServiceRegistration } from '../src/renderer/service-registration.js';
import { waitFor } from '../src/wait.js';
import { startEtcd } from './support/etcd.js';
import { httpGet } from './support/http.js';
import { removeDir, tempDir } from './support/temp-dir.js';

// Both etcds with users, set up by the script deploy/README.md gives operators, and each program with its user.
const USERS = fileURLToPath(new URL('../etcd/news-forum-etcd-users.sh', import.meta.url));
const SIDEKICK = fileURLToPath(new URL('../sidekick/news-forum-discovery.sh', import.meta.url));
const RENDERER = fileURLToPath(new URL('../dist/renderer/cli.js', import.meta.url));
const PASSWORDS = { ETCD_ROOT_PASSWORD: 'root-secret', NEWS_FORUM_ETCD_PASSWORD: 'n@de:pass/wörd', PROXY_ETCD_PASSWORD: 'proxy-secret' };
const TTL = 3;
const run = promisify(execFile);
const silent = () => undefined;

let dir: string;
let book: PortBook;
let cluster: EtcdCluster;
let publicEtcd: EtcdCluster;
let clusterRoot: Etcd3;
let publicRoot: Etcd3;
let backend: Server;
let address: string;
const renderers: Renderer[] = [];
const sidekicks: ChildProcess[] = [];
const registrations: ServiceRegistration[] = [];

/** `url` with `user:password@` written in it, %-encoded. */
const as = (url: string, user: string, password: string) =>
  url.replace('://', `://${encodeURIComponent(user)}:${encodeURIComponent(password)}@`);
const node = (etcd: EtcdCluster) => as(etcd.endpoints[0]!, 'news-forum', PASSWORDS.NEWS_FORUM_ETCD_PASSWORD);

async function setUp(etcd: EtcdCluster, mode: 'cluster' | 'public'): Promise<Etcd3> {
  const { stdout } = await run('sh', [USERS, mode], { env: { ...process.env, ...PASSWORDS, ETCDCTL_ENDPOINTS: etcd.endpoints.join(',') } });
  expect(stdout).toContain(`${mode} etcd: authentication on`);
  return new Etcd3({ hosts: etcd.endpoints, auth: { username: 'root', password: PASSWORDS.ETCD_ROOT_PASSWORD } });
}

beforeAll(async () => {
  findPrograms(['etcdctl', 'curl', 'nginx']);
  dir = await tempDir('etcd-auth');
  book = new PortBook(dir);
  [cluster, publicEtcd] = await Promise.all([startEtcd(path.join(dir, 'cluster'), 1, book), startEtcd(path.join(dir, 'public'), 1, book)]);
  [clusterRoot, publicRoot] = await Promise.all([setUp(cluster, 'cluster'), setUp(publicEtcd, 'public')]);
  backend = createServer((_, res) => res.end('backend'));
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(backend.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  for (const sidekick of sidekicks) sidekick.kill('SIGKILL');
  await Promise.allSettled([...registrations.map((r) => r.stop()), ...renderers.map((r) => r.stop())]);
  clusterRoot?.close();
  publicRoot?.close();
  backend?.close();
  await Promise.allSettled([cluster?.stop(true), publicEtcd?.stop(true)]);
  await removeDir(dir);
});

function sidekick(name: string, etcdUrl: string): ChildProcess {
  const child = spawn('sh', [SIDEKICK], {
    env: {
      ...process.env,
      ETCD_URL: etcdUrl,
      INSTANCE_NAME: name,
      ADVERTISE_ADDR: address,
      HEALTH_URL: `http://${address}/`,
      ETCD_TTL: String(TTL),
    },
    stdio: 'ignore',
  });
  sidekicks.push(child);
  return child;
}

async function renderer(mode: 'load-balancer' | 'proxy', etcdUrl: string): Promise<Renderer> {
  const started = await startRenderer({
    mode,
    etcd: [etcdUrl],
    dir: path.join(dir, mode),
    listen: `127.0.0.1:${await book.port(mode)}`,
    log: silent,
  });
  renderers.push(started);
  return started;
}

test('without credentials, or with a wrong password, etcd refuses: a renderer does not start and says why, without the password', async () => {
  const wrong = as(cluster.endpoints[0]!, 'news-forum', 'not-the-password');
  for (const url of [cluster.endpoints[0]!, wrong]) {
    const refused = startRenderer({
      mode: 'load-balancer',
      etcd: [url],
      dir: path.join(dir, 'refused'),
      listen: `127.0.0.1:${await book.port('refused')}`,
      log: silent,
    });
    await expect(refused).rejects.toThrow(/^cannot read etcd at http:\/\/127\.0\.0\.1:\d+: .*(user name is empty|authentication failed)/);
    await expect(refused).rejects.toThrow(expect.objectContaining({ message: expect.not.stringContaining('not-the-password') }));
  }
}, 30_000);

test('the sidekick registers as news-forum and the load balancer, reading as news-forum, sends traffic to it; a wrong password registers nothing', async () => {
  sidekick('side-wrong', as(cluster.endpoints[0]!, 'news-forum', 'not-the-password'));
  const wrongStarted = Date.now();
  sidekick('side-a', node(cluster));
  await waitFor(
    async () => (await clusterRoot.get('/services/news-forum/upstream/side-a').string()) === address,
    'side-a registered',
    10_000,
  );
  const lb = await renderer('load-balancer', node(cluster));
  await waitFor(() => lb.entries.some((entry) => entry.name === 'side-a'), 'side-a rendered', 10_000);
  await lb.settle();
  await waitFor(async () => (await httpGet(`${lb.url}/`)).body === 'backend', 'traffic reaches the node', 10_000);

  // The wrong password's sidekick tries every TTL/3 (1 s): give it more than two turns.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, wrongStarted + 2_500 - Date.now())));
  expect(await clusterRoot.get('/services/news-forum/upstream/side-wrong').string()).toBeNull();
  expect(lb.entries.map((entry) => entry.name)).toEqual(['side-a']);
}, 40_000);

test('the public etcd: the load balancer registers api as news-forum, the proxy reads it as news-forum-proxy and can write nothing', async () => {
  const registration = await registerService({
    etcd: [node(publicEtcd)],
    names: ['api'],
    advertise: address,
    ttlSeconds: TTL,
    log: silent,
  });
  registrations.push(registration);
  const proxy = await renderer('proxy', as(publicEtcd.endpoints[0]!, 'news-forum-proxy', PASSWORDS.PROXY_ETCD_PASSWORD));
  await waitFor(() => proxy.entries.some((entry) => entry.name === 'api'), 'api rendered', 10_000);
  await proxy.settle();
  await waitFor(
    async () => (await httpGet(`${proxy.url}/`, { host: 'api.localhost' })).body === 'backend',
    'api.localhost reaches it',
    10_000,
  );

  const reader = new Etcd3({
    hosts: publicEtcd.endpoints,
    auth: { username: 'news-forum-proxy', password: PASSWORDS.PROXY_ETCD_PASSWORD },
  });
  try {
    await expect(reader.put('/subdomains/api').value('203.0.113.66:80')).rejects.toThrow(/permission denied/);
  } finally {
    reader.close();
  }
  expect(await publicRoot.get('/subdomains/api').string()).toBe(address);
}, 40_000);

test('the renderer takes ETCD_URL from its environment and names it when the value is wrong, without the password', async () => {
  const failed = await run(process.execPath, [RENDERER, '--mode', 'load-balancer', '--listen', '127.0.0.1:1', '--dir', dir], {
    env: { ...process.env, ETCD_URL: 'http://news-forum:hunter2@127.0.0.1' },
  }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => error,
  );
  expect(failed.code).toBe(2);
  expect(failed.stderr).toContain('ETCD_URL: "http://news-forum:***@127.0.0.1" is not an endpoint');
  expect(failed.stderr).not.toContain('hunter2');
  // --help answers the usage, which names the variables, and exits 0.
  const help = await run(process.execPath, [RENDERER, '--help']);
  expect(help.stdout).toMatch(/^usage: news-forum-renderer --mode load-balancer\|proxy/);
  expect(help.stdout).toContain('$ETCD_URL');
});

describe('an etcd that speaks only TLS and asks for a client certificate', () => {
  const tls = useTlsEtcd();

  const tlsEnv = (prefix: string, files: TlsFiles) => ({
    [`${prefix}_CA_FILE`]: files.ca,
    [`${prefix}_CERT_FILE`]: files.clientCert,
    [`${prefix}_KEY_FILE`]: files.clientKey,
  });

  test('the sidekick registers with ETCD_CA_FILE, ETCD_CERT_FILE and ETCD_KEY_FILE; the load balancer reads and registers with them', async () => {
    const child = spawn('sh', [SIDEKICK], {
      env: {
        ...process.env,
        ...tlsEnv('ETCD', tls().etcd.files),
        ETCD_URL: tls().etcd.url,
        INSTANCE_NAME: 'side-tls',
        ADVERTISE_ADDR: address,
        HEALTH_URL: `http://${address}/`,
        ETCD_TTL: String(TTL),
      },
      stdio: 'ignore',
    });
    sidekicks.push(child);
    await waitFor(
      async () => (await tls().reader.get('/services/news-forum/upstream/side-tls').string()) === address,
      'side-tls registered',
      10_000,
    );
    const etcd = readEtcdAccess({ ...tlsEnv('ETCD', tls().etcd.files), ETCD_URL: tls().etcd.url }, 'ETCD')!;
    const lb = await startRenderer({
      mode: 'load-balancer',
      etcd,
      dir: path.join(dir, 'tls-lb'),
      listen: `127.0.0.1:${await book.port('tls-lb')}`,
      log: silent,
    });
    renderers.push(lb);
    await waitFor(() => lb.entries.some((entry) => entry.name === 'side-tls'), 'side-tls rendered', 10_000);

    // What the load balancer and the demo do in the public etcd, over TLS.
    const registration = await registerService({ etcd, names: ['api-tls'], advertise: address, ttlSeconds: TTL, log: silent });
    registrations.push(registration);
    expect(await tls().reader.get('/subdomains/api-tls').string()).toBe(address);
  }, 40_000);

  test('the renderer CLI reads PUBLIC_ETCD_CA_FILE, _CERT_FILE and _KEY_FILE for --register-etcd, and names the one that is wrong', async () => {
    const cli = (env: Record<string, string>) =>
      run(
        process.execPath,
        [RENDERER, '--mode', 'proxy', '--listen', '127.0.0.1:1', '--dir', dir, '--register', 'api', '--advertise', address],
        {
          env: { ...process.env, ETCD_URL: tls().etcd.url, PUBLIC_ETCD_URL: tls().etcd.url, ...tlsEnv('ETCD', tls().etcd.files), ...env },
        },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
    expect(await cli({ PUBLIC_ETCD_CA_FILE: path.join(dir, 'missing.pem') })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('PUBLIC_ETCD_CA_FILE: cannot read'),
    });
    expect(await cli({ PUBLIC_ETCD_CERT_FILE: tls().etcd.files.clientCert })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('PUBLIC_ETCD_KEY_FILE: is required with PUBLIC_ETCD_CERT_FILE'),
    });
  });
});
