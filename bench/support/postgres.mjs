// A throwaway PostgreSQL for the bench: initdb in a temp directory and
// `postgres` on a free port, on the servers' core, as server/test/support/
// postgres.ts starts it for the tests (durability off; as the postgres user
// when run as root).

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, spawnServer, until } from './processes.mjs';

function binaries() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'postgres'))) : [];
  if (versions.length === 0) throw new Error(`PostgreSQL not found in ${root}/*/bin: install with \`apt-get install -y postgresql\``);
  return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

async function asPostgresUser(dir) {
  if (process.getuid?.() !== 0) return [];
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  await chown(dir, id('-u'), id('-g'));
  return ['setpriv', `--reuid=${id('-u')}`, `--regid=${id('-g')}`, '--init-groups', '--'];
}

/** Starts PostgreSQL; resolves to `{ url, createDatabase(name), stop() }`. */
export async function startPostgres() {
  const bin = binaries();
  const dir = await mkdtemp(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'news-forum-bench-pg-'));
  const data = path.join(dir, 'data');
  const prefix = await asPostgresUser(dir);
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
    '--no-sync',
  ];
  execFileSync(initdb, initdbArgs, { cwd: dir, stdio: 'pipe' });
  const port = await freePort();
  const base = `postgres://postgres@127.0.0.1:${port}`;
  const settings = ['listen_addresses=127.0.0.1', 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=300'];
  const server = spawnServer(
    'postgres',
    path.join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, ...settings.flatMap((s) => ['-c', s])],
    {
      cwd: dir,
      prefix,
    },
  );
  const sql = async (text) => {
    const client = new pg.Client({ connectionString: `${base}/postgres`, connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.query(text);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  await until(server, async () => Boolean(await sql('SELECT 1')), { everyMs: 50, timeoutMs: 30_000 });
  return {
    /** Creates an empty database; resolves to its URL. */
    async createDatabase(name) {
      await sql(`CREATE DATABASE ${name}`);
      return `${base}/${name}`;
    },
    async stop() {
      await server.stop('SIGINT');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
