import { type ChildProcess, execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import { launch, terminate } from './launch.js';

/** A throwaway PostgreSQL server started by a test. */
export interface TestPostgres {
  /** Connection string of its `postgres` database. */
  url: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
  /** Stops the server (terminating every connection) and starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Kills the server with SIGKILL, as a crash does, and waits for its backends to go; `restart()` brings it back. */
  kill(): Promise<void>;
}

const INSTALL = 'install with `apt-get install -y postgresql`';
const START_TIMEOUT_MS = 30_000;

/**
 * Starts a real PostgreSQL in a temporary directory on a free port of
 * 127.0.0.1, with durability off (tests only). Run as root, it runs as the
 * `postgres` user. Fails, never skips, when the binaries are missing.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = findBinaries();
  const dir = await mkdtemp(path.join(scratchDir(), 'news-forum-pg-'));
  const data = path.join(dir, 'data');
  const asUser = await unprivilegedUser(dir);
  const run = (program: string, args: string[]) => [...asUser, path.join(bin, program), ...args];

  const [initdb, ...initdbArgs] = run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync']);
  try {
    execFileSync(initdb!, initdbArgs, { cwd: dir, stdio: 'pipe' });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }

  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | undefined;

  const start = async () => {
    const [postgres, ...args] = run('postgres', [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ]);
    // cwd: the server user may not be allowed into the test's working directory.
    const { child, ready } = launch('postgres', postgres!, args, { cwd: dir, ready: () => accepts(url), timeoutMs: START_TIMEOUT_MS });
    server = child;
    await ready;
  };

  const halt = async () => {
    const child = server;
    server = undefined;
    await terminate(child, 'SIGINT'); // fast shutdown: roll back and disconnect every session
  };

  // Never leave a server behind when the test process ends without stop().
  const onExit = () => server?.kill('SIGKILL');
  process.once('exit', onExit);

  try {
    await start();
  } catch (error) {
    await halt();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    async stop() {
      process.removeListener('exit', onExit);
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await start();
    },
    async kill() {
      const child = server;
      server = undefined;
      if (!child?.pid) return;
      const backends = childPids(child.pid);
      await terminate(child, 'SIGKILL');
      // Orphaned backends notice the postmaster's death and exit; until they do, a new postmaster refuses the data directory.
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (backends.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
}

/** A RAM-backed directory where there is one (tests write a lot and keep nothing), else the temp directory. */
export function scratchDir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

function findBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((version) => existsSync(path.join(root, version, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`PostgreSQL server binaries not found in ${root}/*/bin: ${INSTALL}`);
  return path.join(root, versions[0]!, 'bin');
}

/** PostgreSQL refuses to run as root: hand the directory to `postgres` and run as that user. */
async function unprivilegedUser(dir: string): Promise<string[]> {
  if (process.getuid?.() !== 0) return [];
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  } catch {
    throw new Error(`running as root needs the postgres user to run PostgreSQL: ${INSTALL}`);
  }
  await chown(dir, uid, gid);
  // setpriv execs in place, so the child we signal is postgres itself.
  return ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--'];
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)])
      .toString()
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
