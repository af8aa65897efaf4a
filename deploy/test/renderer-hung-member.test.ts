import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import type { EtcdCluster } from '../src/cluster/etcd-cluster.js';
import { PortBook } from '../src/cluster/ports.js';
import type { Log } from '../src/log.js';
import { type Renderer, startRenderer } from '../src/renderer/renderer.js';
import { waitFor } from '../src/wait.js';
import { startEtcd } from './support/etcd.js';
import { removeDir, tempDir } from './support/temp-dir.js';

// One of three etcd members hangs (SIGSTOP: a paused VM, a stalled disk, a black-holed link): it
// accepts connections and never answers. The other two keep the cluster going; so must the renderer.
const UPSTREAM = '/services/news-forum/upstream/';
let dir: string;
let etcd: EtcdCluster;
let client: Etcd3 | undefined;
let lb: Renderer;
let paused: number | undefined;
const logged: { level: string; message: string; fields: Record<string, unknown> }[] = [];
const log: Log = (level, message, fields = {}) => logged.push({ level, message, fields });

beforeAll(async () => {
  dir = await tempDir('renderer-hung');
  const book = new PortBook(dir);
  etcd = await startEtcd(dir, 3, book);
  lb = await startRenderer({
    mode: 'load-balancer',
    etcd: etcd.endpoints,
    dir: path.join(dir, 'lb'),
    listen: `127.0.0.1:${await book.port('lb')}`,
    log,
  });
}, 60_000);

afterAll(async () => {
  if (paused) process.kill(paused, 'SIGCONT');
  client?.close();
  await Promise.race([lb?.stop(), delay(10_000, undefined, { ref: false })]);
  await etcd?.stop(true);
  await removeDir(dir);
}, 30_000);

/** The member serving the renderer's watch: the only watcher in these etcds. */
async function watchedMember(): Promise<number> {
  const counts = await Promise.all(
    etcd.endpoints.map(async (url) => {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      return Number(/^etcd_debugging_mvcc_watcher_total (\S+)$/m.exec(metrics)?.[1] ?? 0);
    }),
  );
  expect(counts.filter((count) => count > 0)).toHaveLength(1);
  return counts.findIndex((count) => count > 0);
}

test('with the member under its watch hung, every change is rendered, and the watch moves to another member', async () => {
  const member = await watchedMember();
  paused = etcd.pids[member]!;
  process.kill(paused, 'SIGSTOP');
  client = new Etcd3({ hosts: etcd.endpoints.filter((_, i) => i !== member) });

  // Renders follow etcd through the other members: each change within a resync and a retried read.
  // Once the watch moved, changes arrive without waiting for the resync: three in a row, quickly.
  const started = performance.now();
  let quick = 0;
  for (let i = 0; quick < 3; i += 1) {
    expect(performance.now() - started).toBeLessThan(35_000);
    const name = `node-${i}`;
    const put = performance.now();
    await client.put(`${UPSTREAM}${name}`).value(`127.0.0.1:${4000 + i}`);
    await waitFor(() => lb.entries.some((e) => e.name === name), `${name} rendered`, 10_000);
    quick = performance.now() - put < 2_500 ? quick + 1 : 0;
  }
  expect(logged.map((l) => l.message)).toContain('the etcd watch is stuck; watching again');

  await client.delete().key(`${UPSTREAM}node-0`);
  await waitFor(() => !lb.entries.some((e) => e.name === 'node-0'), 'node-0 removed', 10_000);
  expect(await Promise.race([lb.settle().then(() => 'settled'), delay(10_000, 'pending', { ref: false })])).toBe('settled');
}, 60_000);
