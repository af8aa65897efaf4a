import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { type Cluster, type ClusterInfo, startCluster } from '../src/cluster/cluster.js';
import { onRestarted, onUnexpectedExit, type Restarted, type UnexpectedExit } from '../src/cluster/supervised.js';
import { waitFor, waitForHttp } from '../src/wait.js';
import { removeDir, tempDir } from './support/temp-dir.js';
import { TEST_TTL_SECONDS } from './support/test-cluster.js';

// `npm run cluster` runs its cluster with restarts on: a program killed from outside comes back after its unit's
// RestartSec, with the same arguments, ports and data, and rejoins.

let dir: string;
let cluster: Cluster;
let db: pg.Pool;
const exits: UnexpectedExit[] = [];
const restarts: Restarted[] = [];
const listening = [onUnexpectedExit((exit) => exits.push(exit)), onRestarted((restarted) => restarts.push(restarted))];

beforeAll(async () => {
  dir = await tempDir('restart');
  cluster = await startCluster({ dir, nodes: 2, ttlSeconds: TEST_TTL_SECONDS, restart: true, nodeEnv: { LOG_LEVEL: 'warn' } });
  db = new pg.Pool({ connectionString: cluster.info().database, max: 2 });
  // Its idle connections end with the primary this file kills.
  db.on('error', () => undefined);
}, 180_000);

afterAll(async () => {
  for (const stop of listening) stop();
  await db?.end().catch(() => undefined);
  await cluster?.stop();
  if (dir && !process.env.KEEP_CLUSTER) await removeDir(dir);
});

/** Whether `pid` runs (a zombie waiting to be reaped does not). */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Pids of the processes whose command line has every one of `words` (this test's directory among them). */
function pidsOf(...words: string[]): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      return words.every((word) => args.includes(word)) ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

/** Kills `pid` from outside (kill -9) and resolves once `name` is back, with its exit and its restart. */
async function killAndWaitBack(name: string, pid: number): Promise<{ exit: UnexpectedExit; restarted: Restarted }> {
  const [exitsBefore, restartsBefore] = [exits.length, restarts.length];
  process.kill(pid, 'SIGKILL');
  await waitFor(() => restarts.slice(restartsBefore).some((r) => r.name === name), `${name} restarted`, 90_000, { intervalMs: 100 });
  const exit = exits.slice(exitsBefore).find((e) => e.name === name);
  const restarted = restarts.slice(restartsBefore).find((r) => r.name === name);
  if (!exit || !restarted) throw new Error(`no exit of ${name} seen`);
  return { exit, restarted };
}

test("a node killed from outside is back after its unit's 2 s, on its port, and the balancer routes to it again", async () => {
  const node = cluster.node('node-1');
  const before = node.pid!;
  const { exit, restarted } = await killAndWaitBack('node-1', before);
  expect(exit).toMatchObject({ signal: 'SIGKILL', restart: { delayMs: 2_000, crashLoop: 0 } });
  expect(restarted.error).toBeUndefined();
  expect(restarted.pid).not.toBe(before);
  expect(node.pid).toBe(restarted.pid);
  // Announced once its /readyz answered 200; a check may still flap right after a start, so wait for it.
  await waitForHttp(`${node.url}/readyz`, { timeoutMs: 30_000 });
  await node.waitRouted(true, 30_000);
  const info = JSON.parse(await readFile(path.join(dir, 'cluster.json'), 'utf8')) as ClusterInfo;
  expect(info.nodes.find((n) => n.name === 'node-1')?.pid).toBe(restarted.pid);
}, 120_000);

test('the load balancer killed from outside is back and serves: the nginx it left holding the port went with it', async () => {
  const lbDir = path.join(dir, 'lb');
  const [renderer] = pidsOf('--dir', lbDir);
  const nginx = Number((await readFile(path.join(lbDir, 'nginx.pid'), 'utf8')).trim());
  const { exit } = await killAndWaitBack('load-balancer', renderer!);
  expect(exit.restart?.delayMs).toBe(2_000);
  expect(isRunning(nginx)).toBe(false);
  await waitFor(async () => (await fetch(`${cluster.info().lb}/api`)).status === 200, 'the API through the balancer', 30_000);
}, 120_000);

test('the replica killed from outside is back after 5 s, streaming, and the primary waits for it again', async () => {
  const replica = cluster.database.replica!;
  const { exit } = await killAndWaitBack('postgres-replica', replica.pid!);
  expect(exit.restart?.delayMs).toBe(5_000);
  expect(await cluster.database.replicationState()).toBe('streaming');
  expect(await cluster.database.primary.query('SHOW synchronous_standby_names')).toBe('ANY 1 (replica)');
}, 120_000);

test('the PostgreSQL primary killed from outside is back in place, with its data, and the nodes are ready again', async () => {
  const primary = cluster.database.primary;
  await db.query('CREATE TABLE IF NOT EXISTS restart_test (n int)');
  await db.query('INSERT INTO restart_test VALUES (1)');
  const { exit } = await killAndWaitBack('postgres', primary.pid!);
  expect(exit.restart?.delayMs).toBe(5_000);
  expect((await db.query('SELECT n FROM restart_test')).rows).toEqual([{ n: 1 }]);
  await waitFor(async () => (await cluster.database.replicationState()) === 'streaming', 'the replica streaming again', 30_000);
  const forum = cluster.nodes[0]!;
  await waitFor(async () => (await fetch(`${forum.url}/readyz`)).status === 200, 'node-1 ready', 30_000);
}, 120_000);

test('stopping the cluster while a restart is pending cancels it: nothing is left running, nothing starts later', async () => {
  const node = cluster.node('node-2');
  const pids = [
    ...cluster.nodes.map((n) => n.pid!),
    ...cluster.etcd.pids,
    cluster.database.primary.pid!,
    cluster.database.replica!.pid!,
    ...pidsOf('--dir', path.join(dir, 'lb')),
    ...pidsOf('--dir', path.join(dir, 'proxy')),
    Number((await readFile(path.join(dir, 'lb', 'nginx.pid'), 'utf8')).trim()),
    Number((await readFile(path.join(dir, 'proxy', 'nginx.pid'), 'utf8')).trim()),
  ];
  const exitsBefore = exits.length;
  const restartsBefore = restarts.length;
  process.kill(node.pid!, 'SIGKILL');
  await waitFor(() => exits.slice(exitsBefore).some((e) => e.name === 'node-2'), 'node-2 reported', 10_000);
  await cluster.stop();
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(restarts.slice(restartsBefore)).toEqual([]);
  expect(node.process.restarting).toBe(false);
  expect(pids.filter(isRunning)).toEqual([]);
}, 120_000);
