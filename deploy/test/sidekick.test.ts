import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import type { EtcdCluster } from '../src/cluster/etcd-cluster.js';
import { findPrograms } from '../src/programs.js';
import { waitFor } from '../src/wait.js';
import { startEtcd } from './support/etcd.js';
import { removeDir, tempDir } from './support/temp-dir.js';

const SCRIPT = fileURLToPath(new URL('../sidekick/news-forum-discovery.sh', import.meta.url));
const KEY = '/services/news-forum/upstream/side-a';
const TTL = 3;
let dir: string;
let etcd: EtcdCluster;
let client: Etcd3;
let health: Server;
let sidekick: ChildProcess | undefined;

beforeAll(async () => {
  findPrograms(['etcdctl', 'curl']);
  dir = await tempDir('sidekick');
  etcd = await startEtcd(dir, 1);
  client = new Etcd3({ hosts: etcd.endpoints });
  health = createServer((_, res) => res.end('ok'));
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
}, 60_000);

afterAll(async () => {
  if (sidekick && sidekick.exitCode === null) {
    const exited = new Promise((resolve) => sidekick!.once('exit', resolve));
    sidekick.kill('SIGTERM');
    await exited;
  }
  health?.close();
  client?.close();
  await etcd?.stop(true);
  await removeDir(dir);
});

test('a key deleted or overwritten while its lease lives is written again on the lease', async () => {
  const address = `127.0.0.1:${(health.address() as AddressInfo).port}`;
  sidekick = spawn('sh', [SCRIPT], {
    env: { ...process.env, ETCD_URL: etcd.endpoints.join(','), INSTANCE_NAME: 'side-a', ADVERTISE_ADDR: address, ETCD_TTL: String(TTL) },
    stdio: 'ignore',
  });
  await waitFor(async () => (await client.get(KEY).string()) === address, 'the sidekick registered', 10_000);
  const lease = (await client.get(KEY).exec()).kvs[0]!.lease;
  expect(lease).not.toBe('0');

  await client.delete().key(KEY);
  await waitFor(async () => (await client.get(KEY).string()) === address, 'the key written again', TTL * 1000);
  expect((await client.get(KEY).exec()).kvs[0]!.lease).toBe(lease);

  await client.put(KEY).value('127.0.0.1:9');
  await waitFor(async () => (await client.get(KEY).string()) === address, 'the key taken back', TTL * 1000);
  expect((await client.get(KEY).exec()).kvs[0]!.lease).toBe(lease);
}, 40_000);

test('an etcd that stops answering mid-renewal does not hold the sidekick: asked to stop, it stops', async () => {
  const address = `127.0.0.1:${(health.address() as AddressInfo).port}`;
  const stuck = spawn('sh', [SCRIPT], {
    env: { ...process.env, ETCD_URL: etcd.endpoints.join(','), INSTANCE_NAME: 'side-b', ADVERTISE_ADDR: address, ETCD_TTL: String(TTL) },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => stuck.once('exit', (code) => resolve(code)));
  const [pid] = etcd.pids;
  try {
    await waitFor(async () => (await client.get('/services/news-forum/upstream/side-b').string()) === address, 'registered', 10_000);
    // Frozen, etcd still takes connections (the kernel queues them) and answers none: `etcdctl lease keep-alive
    // --once` then waits past its --command-timeout, for good.
    process.kill(pid!, 'SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, TTL * 1000));
    stuck.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 25_000))]);
    expect(code).toBe(0);
  } finally {
    process.kill(pid!, 'SIGCONT');
    if (stuck.exitCode === null) stuck.kill('SIGKILL');
  }
}, 60_000);

test('asked to stop, it deregisters at once and exits DEREGISTER_DELAY later, so that the node it registered is stopped only then', async () => {
  const address = `127.0.0.1:${(health.address() as AddressInfo).port}`;
  const key = '/services/news-forum/upstream/side-c';
  const stopping = spawn('sh', [SCRIPT], {
    env: {
      ...process.env,
      ETCD_URL: etcd.endpoints.join(','),
      INSTANCE_NAME: 'side-c',
      ADVERTISE_ADDR: address,
      ETCD_TTL: String(TTL),
      DEREGISTER_DELAY: '5s',
    },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => stopping.once('exit', (code) => resolve(code)));
  try {
    await waitFor(async () => (await client.get(key).string()) === address, 'registered', 10_000);
    stopping.kill('SIGTERM');
    await waitFor(async () => (await client.get(key).string()) === null, 'the key gone', 5_000);
    expect(stopping.exitCode).toBeNull();
    expect(await exited).toBe(0);
  } finally {
    if (stopping.exitCode === null) stopping.kill('SIGKILL');
  }
}, 30_000);

test('a DEREGISTER_DELAY it cannot read stops it before it registers anything, saying what it takes', async () => {
  const address = `127.0.0.1:${(health.address() as AddressInfo).port}`;
  for (const value of ['soon', '-1', '121s', '2 s']) {
    const child = spawn('sh', [SCRIPT], {
      env: {
        ...process.env,
        ETCD_URL: etcd.endpoints.join(','),
        INSTANCE_NAME: 'side-d',
        ADVERTISE_ADDR: address,
        DEREGISTER_DELAY: value,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    expect({ value, code, stderr }).toEqual({
      value,
      code: 2,
      stderr: expect.stringContaining(`DEREGISTER_DELAY must be a delay from 0 to 120s`),
    });
  }
  expect(await client.get('/services/news-forum/upstream/side-d').string()).toBeNull();
});
