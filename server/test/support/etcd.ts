import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from './free-port.js';
import { launch, terminate } from './launch.js';
import { scratchDir } from './postgres.js';

/** A single-member etcd started by a test. */
export interface TestEtcd {
  /** Its client URL, `http://127.0.0.1:port`. */
  url: string;
  /** Kills it (SIGKILL): clients see dropped connections, leases stop being kept alive. */
  kill(): Promise<void>;
  /** Starts it again on the same ports; `fresh` starts from an empty data directory (a member rebuilt after a disaster). */
  start(options?: { fresh?: boolean }): Promise<void>;
  stop(): Promise<void>;
  /** The key's value and lease, read through etcd's JSON gateway; undefined when absent. */
  get(key: string): Promise<{ value: string; lease: string } | undefined>;
  /** A lease's granted and remaining TTL in seconds (remaining -1 once expired or revoked). */
  lease(id: string): Promise<{ grantedTTL: number; TTL: number }>;
}

const INSTALL = 'apt-get install -y etcd-server etcd-client';
const START_TIMEOUT_MS = 20_000;

function etcdBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v etcd || ls /usr/bin/etcd'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  if (!found) throw new Error(`etcd is not installed; install it with: ${INSTALL}`);
  return found;
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

async function gateway<T>(url: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`etcd ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    return response.ok && ((await response.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

/**
 * Starts a real etcd (v3 API) on free ports of 127.0.0.1 with its data in a
 * temporary directory. Fails, never skips, when the binary is missing.
 */
export async function startEtcd(): Promise<TestEtcd> {
  const binary = etcdBinary();
  const dir = await mkdtemp(path.join(scratchDir(), 'news-forum-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  let child: ChildProcess | undefined;
  let generation = 0;

  const start = async ({ fresh = false } = {}) => {
    if (fresh) generation += 1;
    const data = path.join(dir, `data-${generation}`);
    const args = [
      '--name',
      'test',
      '--data-dir',
      data,
      '--listen-client-urls',
      url,
      '--advertise-client-urls',
      url,
      '--listen-peer-urls',
      peer,
      '--initial-advertise-peer-urls',
      peer,
      '--initial-cluster',
      `test=${peer}`,
      '--initial-cluster-state',
      'new',
      '--log-level',
      'error',
      '--logger',
      'zap',
    ];
    const { child: started, ready } = launch('etcd', binary, args, { cwd: dir, ready: () => healthy(url), timeoutMs: START_TIMEOUT_MS });
    child = started;
    await ready;
  };

  const kill = async () => {
    const running = child;
    child = undefined;
    await terminate(running, 'SIGKILL');
  };

  // Never leave a server behind when the test process ends without stop().
  const onExit = () => child?.kill('SIGKILL');
  process.once('exit', onExit);

  await start();
  return {
    url,
    kill,
    start,
    async stop() {
      await kill();
      process.off('exit', onExit);
      await rm(dir, { recursive: true, force: true });
    },
    async get(key) {
      const { kvs } = await gateway<{ kvs?: { value: string; lease?: string }[] }>(url, '/v3/kv/range', { key: base64(key) });
      const kv = kvs?.[0];
      return kv && { value: Buffer.from(kv.value, 'base64').toString(), lease: kv.lease ?? '0' };
    },
    async lease(id) {
      const ttl = await gateway<{ TTL?: string; grantedTTL?: string }>(url, '/v3/lease/timetolive', { ID: id });
      return { grantedTTL: Number(ttl.grantedTTL ?? 0), TTL: Number(ttl.TTL ?? -1) };
    },
  };
}
