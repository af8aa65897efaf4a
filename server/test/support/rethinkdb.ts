import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import rethinkdb from 'rethinkdb';
import { openRethinkdbStore, type RethinkdbStore, type RethinkdbStoreOptions } from '../../src/store/rethinkdb.js';
import { freePort } from './free-port.js';
import { launch, terminate } from './launch.js';
import { scratchDir } from './postgres.js';

const START_TIMEOUT_MS = 60_000;

/**
 * The RethinkDB server binary: `RETHINKDB_BIN`, else `rethinkdb` on PATH;
 * undefined when there is none (RethinkDB publishes no registry package, so
 * CI machines have none).
 */
export function findRethinkdb(): string | undefined {
  const candidates = process.env.RETHINKDB_BIN
    ? [process.env.RETHINKDB_BIN]
    : (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'rethinkdb'));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why RethinkDB tests did not run, in one line. */
export const RETHINKDB_MISSING =
  'RethinkDB tests did not run: no rethinkdb binary (set RETHINKDB_BIN or put rethinkdb on PATH; see README "RethinkDB")';

/** One server of a test cluster. */
export interface TestRethinkdbServer {
  readonly name: string;
  readonly driverPort: number;
  /** Kills it with SIGKILL, as a crash does. */
  kill(): Promise<void>;
  /** Stops it cleanly (SIGTERM). */
  stop(): Promise<void>;
  /** Starts it again on the same directory and ports, joining the others. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): its connections stay open and nothing answers, as when a machine hangs or is cut off. */
  pause(): void;
  /** Lets a paused server run again (SIGCONT). */
  resume(): void;
}

/** A throwaway RethinkDB cluster started by a test. */
export interface TestRethinkdb {
  servers: TestRethinkdbServer[];
  /** `rethinkdb://127.0.0.1:<port>,…/<db>` naming every server. */
  url(db: string): string;
  /** Stops every server and removes their directories. */
  stop(): Promise<void>;
}

async function accepts(port: number, servers: number): Promise<boolean> {
  try {
    const connection = await rethinkdb.connect({ host: '127.0.0.1', port, timeout: 1 });
    try {
      const seen = (await (rethinkdb.db('rethinkdb').table('server_status').count() as rethinkdb.Operation<number>).run(
        connection,
      )) as number;
      return seen === servers;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

/**
 * Starts `count` joined RethinkDB servers on free ports of 127.0.0.1, each in
 * its own temporary directory (in RAM where possible). Throws when no binary
 * is found: callers check findRethinkdb() first.
 */
export async function startRethinkdb(count = 1): Promise<TestRethinkdb> {
  const bin = findRethinkdb();
  if (!bin) throw new Error(RETHINKDB_MISSING);
  const root = await mkdtemp(path.join(scratchDir(), 'news-forum-rethinkdb-'));
  const ports = await Promise.all(Array.from({ length: count }, async () => ({ driver: await freePort(), cluster: await freePort() })));
  const children = new Map<number, ChildProcess>();
  const onExit = () => {
    for (const child of children.values()) child.kill('SIGKILL');
  };
  process.once('exit', onExit);

  const servers: TestRethinkdbServer[] = ports.map((port, i) => {
    const name = `s${i + 1}`;
    const start = async () => {
      // Only the servers running now: a server told to join peers that are all down waits for one before it serves.
      const joins = ports.filter((_, j) => j !== i && children.has(j)).flatMap((other) => ['--join', `127.0.0.1:${other.cluster}`]);
      const { child, ready } = launch(
        'rethinkdb',
        bin,
        [
          '--directory',
          path.join(root, name),
          '--bind',
          '127.0.0.1',
          '--driver-port',
          String(port.driver),
          '--cluster-port',
          String(port.cluster),
          '--no-http-admin',
          '--no-update-check',
          '--server-name',
          name,
          '--cache-size',
          '128',
          ...joins,
        ],
        // Ready when it is up and sees as many servers as are running.
        { cwd: root, ready: () => accepts(port.driver, children.size), timeoutMs: START_TIMEOUT_MS },
      );
      children.set(i, child);
      await ready;
    };
    const halt = async (signal: NodeJS.Signals) => {
      const child = children.get(i);
      children.delete(i);
      // A paused server would not act on the signal.
      child?.kill('SIGCONT');
      await terminate(child, signal);
    };
    const signal = (name: NodeJS.Signals) => void children.get(i)?.kill(name);
    return {
      name,
      driverPort: port.driver,
      start,
      kill: () => halt('SIGKILL'),
      stop: () => halt('SIGTERM'),
      pause: () => signal('SIGSTOP'),
      resume: () => signal('SIGCONT'),
    };
  });

  try {
    // The first server creates the cluster; the others join it one by one.
    for (const server of servers) await server.start();
  } catch (error) {
    await Promise.all(servers.map((server) => server.kill()));
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return {
    servers,
    url: (db) => `rethinkdb://${ports.map((port) => `127.0.0.1:${port.driver}`).join(',')}/${db}`,
    async stop() {
      process.removeListener('exit', onExit);
      await Promise.all(servers.map((server) => server.stop()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A store on a database of its own in `cluster`; `cleanup` closes it and drops the database. */
export async function createRethinkdbStore(
  cluster: TestRethinkdb,
  options?: RethinkdbStoreOptions,
): Promise<{ store: RethinkdbStore; url: string; cleanup(): Promise<void> }> {
  const db = `t_${randomUUID().replaceAll('-', '')}`;
  const url = cluster.url(db);
  // A loaded test machine can be slower than the production timeout allows; tests of the timeout set their own.
  const store = await openRethinkdbStore(url, { queryTimeoutMs: 30_000, ...options });
  return {
    store,
    url,
    async cleanup() {
      await store.close().catch(() => undefined);
      await dropDatabase(cluster, db).catch(() => undefined);
    },
  };
}

async function dropDatabase(cluster: TestRethinkdb, db: string): Promise<void> {
  for (const server of cluster.servers) {
    try {
      const connection = await rethinkdb.connect({ host: '127.0.0.1', port: server.driverPort, timeout: 2 });
      try {
        await rethinkdb.dbDrop(db).run(connection);
        return;
      } finally {
        await connection.close();
      }
    } catch {
      // Try the next server.
    }
  }
}

/** Runs `run` on a driver connection of its own to the cluster's first server (as an operator would, outside the store). */
export async function admin<T>(cluster: TestRethinkdb, run: (connection: rethinkdb.Connection) => Promise<T>): Promise<T> {
  const connection = await rethinkdb.connect({ host: '127.0.0.1', port: cluster.servers[0]!.driverPort });
  try {
    return await run(connection);
  } finally {
    await connection.close();
  }
}
