// The campaign's own processes: PostgreSQL, Redis and news-forum nodes on
// loopback, each of which a fault may kill, stop or restart (RethinkDB, with
// `--store rethinkdb`, is in rethinkdb.mjs).

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../bench/support/processes.mjs';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const CLI = fileURLToPath(new URL('../server/dist/cli.js', import.meta.url));

export { freePort };

/** Polls `ready` until true; throws after `timeoutMs`. */
export async function until(ready, { timeoutMs = 60_000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function listens(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** One restartable server process; the end of its stderr is kept. */
export function supervised(name, argv, { env, cwd } = {}) {
  let child;
  let output = '';
  const exits = new Set();
  const start = () => {
    const [program, ...args] = argv();
    child = spawn(program, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (chunk) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    child.once('exit', (code, signal) => {
      for (const listener of exits) listener({ code, signal });
    });
  };
  const onExit = () => child?.kill('SIGKILL');
  process.on('exit', onExit);
  return {
    name,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    output: () => output,
    onExit(listener) {
      exits.add(listener);
    },
    start,
    async kill(signal = 'SIGKILL') {
      if (!this.running) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
    signal(signal) {
      child.kill(signal);
    },
    dispose() {
      process.off('exit', onExit);
    },
  };
}

async function sql(url, text, params) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query(text, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * PostgreSQL in a temp directory. Commits are synchronous (a kill -9 must not
 * lose an acknowledged commit); fsync is off, as the machine itself does not crash here.
 */
export async function startPostgres() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'postgres'))) : [];
  if (versions.length === 0) throw new Error(`PostgreSQL not found in ${root}/*/bin: install with \`apt-get install -y postgresql\``);
  const bin = path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
  const dir = await mkdtemp(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'news-forum-chaos-pg-'));
  const data = path.join(dir, 'data');
  let prefix = [];
  if (process.getuid?.() === 0) {
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
    await chown(dir, id('-u'), id('-g'));
    prefix = ['setpriv', `--reuid=${id('-u')}`, `--regid=${id('-g')}`, '--init-groups', '--'];
  }
  const [initdb, ...initdbArgs] = [
    ...prefix,
    path.join(bin, 'initdb'),
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-locale',
    '-E',
    'UTF8',
  ];
  execFileSync(initdb, initdbArgs, { cwd: dir, stdio: 'pipe' });
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const settings = ['listen_addresses=127.0.0.1', 'fsync=off', 'full_page_writes=off', 'max_connections=200'];
  const server = supervised(
    'postgres',
    () => [...prefix, path.join(bin, 'postgres'), '-D', data, '-p', String(port), '-k', dir, ...settings.flatMap((s) => ['-c', s])],
    { cwd: dir },
  );
  const start = async () => {
    server.start();
    await until(async () => (await sql(url, 'SELECT 1')).length === 1, { what: 'PostgreSQL to accept connections' });
  };
  await start();
  return {
    label: 'PostgreSQL',
    /** Counters move in the vote's own transaction: they must equal a recount at once. */
    countersSettleMs: 0,
    url,
    port,
    /** A node's store settings, reaching the database at `at` (`host:port`; the proxy's for node a). */
    env: (at = `127.0.0.1:${port}`) => ({ STORE: 'postgres', DATABASE_URL: `postgres://postgres@${at}/postgres` }),
    /** What the checker compares: every post, comment and vote as stored. */
    async snapshot() {
      const [posts, comments, votes] = await Promise.all([
        sql(url, `SELECT id::text AS id, version::int AS version, upvotes, downvotes, comment_count AS "commentCount" FROM posts`),
        sql(url, `SELECT id::text AS id, post_id::text AS "postId", version::int AS version FROM comments`),
        sql(url, `SELECT login, post_id::text AS "postId", value FROM votes`),
      ]);
      return { posts, comments, votes };
    },
    /** kill -9 of the postmaster; waits for its backends to go, as a new one refuses the directory until then. */
    async kill() {
      const backends = execFileSync('ps', ['-o', 'pid=', '--ppid', String(server.pid)])
        .toString()
        .split('\n')
        .map((line) => Number(line.trim()))
        .filter((pid) => pid > 0);
      await server.kill('SIGKILL');
      await until(async () => !backends.some(alive), { what: 'PostgreSQL backends to exit' });
    },
    start,
    async stop() {
      await server.kill('SIGINT');
      server.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** redis-server without persistence. */
export async function startRedis() {
  const dir = await mkdtemp(path.join(tmpdir(), 'news-forum-chaos-redis-'));
  const port = await freePort();
  const server = supervised('redis', () => [
    'redis-server',
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ]);
  const start = async () => {
    server.start();
    await until(() => listens(port), { what: 'Redis to listen' });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, ...killable(server, dir, start) };
}

/** What a fault needs of a `supervised` server kept in `dir`: kill -9 (the directory stays), `start` again, stop for good. */
export function killable(server, dir, start) {
  return {
    kill: () => server.kill('SIGKILL'),
    start,
    async stop() {
      await server.kill('SIGKILL');
      server.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A news-forum node on a fixed port (so clients find it again after a restart); `exits` counts exits it was not asked for. */
export async function startNode(name, env) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const node = supervised(name, () => [process.execPath, CLI], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), INSTANCE_NAME: name, LOG_LEVEL: 'warn', ...env },
  });
  let expectExit = false;
  const unexpectedExits = [];
  node.onExit(({ code, signal }) => {
    if (!expectExit) unexpectedExits.push({ code, signal, stderr: node.output().slice(-500) });
  });
  const start = async () => {
    expectExit = false;
    node.start();
    await until(
      async () => {
        const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        return response.status === 200;
      },
      { what: `${name} to be ready` },
    );
  };
  await start();
  return {
    name,
    url,
    unexpectedExits,
    start,
    async kill() {
      expectExit = true;
      await node.kill('SIGKILL');
    },
    pause: () => node.signal('SIGSTOP'),
    resume: () => node.signal('SIGCONT'),
    async stop() {
      expectExit = true;
      node.signal('SIGCONT');
      await node.kill('SIGKILL');
      node.dispose();
    },
  };
}
