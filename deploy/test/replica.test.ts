import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from '@news-forum/sdk';
import pg from 'pg';
import { ClusterDatabase } from '../src/cluster/database.js';
import { readImageCommand } from '../src/cluster/dockerfile.js';
import { PortBook } from '../src/cluster/ports.js';
import { ClusterPostgres } from '../src/cluster/postgres.js';
import { Supervised } from '../src/cluster/supervised.js';
import { findPrograms } from '../src/programs.js';
import { waitFor, waitForHttp } from '../src/wait.js';
import { removeDir, tempDir } from './support/temp-dir.js';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN = { login: 'admin', password: 'correct horse battery staple' };
let dir: string;
let database: ClusterDatabase;

/** The cluster's database part, as `startCluster` makes and starts it. */
async function startDatabase(): Promise<ClusterDatabase> {
  const { postgres } = findPrograms(['postgres', 'initdb', 'pgBasebackup', 'pgCtl']);
  const started = await ClusterDatabase.create({
    dir,
    ports: new PortBook(dir),
    bin: path.dirname(postgres),
    logDir: path.join(dir, 'logs'),
  });
  await started.start();
  return started;
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const replicaUrl = () => database.replica!.url;
const replication = () =>
  withClient(
    database.primary.url,
    async (db) => (await db.query('SELECT application_name, state, sync_state FROM pg_stat_replication')).rows,
  );

/** The units' PostgreSQL without a replica, in a directory of its own (see their describe, below). */
async function startUnitsDatabase(): Promise<{ dir: string; database: ClusterDatabase }> {
  const unitsDir = await tempDir('units-postgres');
  const started = await ClusterDatabase.create({
    dir: unitsDir,
    ports: new PortBook(unitsDir),
    bin: path.dirname(findPrograms(['postgres']).postgres),
    logDir: path.join(unitsDir, 'logs'),
    replica: 'none',
  });
  await started.start();
  return { dir: unitsDir, database: started };
}

/**
 * Begun in beforeAll beside the cluster's database rather than after the tests before the units': each start
 * is an initdb and a server start, seconds on this machine. Awaited (and its failure reported) by their describe.
 */
let unitsDatabase: Promise<{ dir: string; database: ClusterDatabase }> | undefined;

beforeAll(async () => {
  unitsDatabase = startUnitsDatabase();
  unitsDatabase.catch(() => undefined);
  dir = await tempDir('replica');
  database = await startDatabase();
}, 60_000);

afterAll(async () => {
  await database?.stop();
  if (!process.env.KEEP_CLUSTER) await removeDir(dir);
  // Stopped by its describe when that ran; here too in case it did not (a second stop changes nothing).
  const units = await unitsDatabase?.catch(() => undefined);
  await units?.database.stop();
  await removeDir(units?.dir);
}, 30_000);

test('the replica streams from the primary, synchronously, and a row written on the primary is on the replica', async () => {
  expect(await replication()).toEqual([{ application_name: 'replica', state: 'streaming', sync_state: 'quorum' }]);
  await withClient(database.primary.url, (db) => db.query('CREATE TABLE notes (id serial PRIMARY KEY, text text NOT NULL)'));
  const began = performance.now();
  const { rows } = await withClient(database.primary.url, (db) =>
    db.query<{ id: number }>("INSERT INTO notes (text) VALUES ('on two servers') RETURNING id"),
  );
  await withClient(replicaUrl(), async (db) => {
    await waitFor(
      async () => (await db.query('SELECT text FROM notes WHERE id = $1', [rows[0]!.id])).rowCount === 1,
      'the row on the replica',
      5_000,
      {
        intervalMs: 5,
      },
    );
    process.stdout.write(`replication: a committed row visible on the replica after ${(performance.now() - began).toFixed(1)} ms\n`);
    expect((await db.query('SELECT pg_is_in_recovery() AS standby')).rows).toEqual([{ standby: true }]);
    await expect(db.query("INSERT INTO notes (text) VALUES ('on the replica')")).rejects.toMatchObject({ code: '25006' });
  });
});

test('with the replica down the primary goes on alone; back, the replica catches up and commits wait for it again', async () => {
  await database.replica!.kill();
  // Would block for good if the primary still waited for the replica.
  await withClient(database.primary.url, (db) => db.query("INSERT INTO notes (text) VALUES ('while the replica was down')"));
  expect(await replication()).toEqual([]);
  await database.startReplica();
  expect(await replication()).toEqual([{ application_name: 'replica', state: 'streaming', sync_state: 'quorum' }]);
  await withClient(replicaUrl(), async (db) => {
    await waitFor(
      async () => (await db.query("SELECT 1 FROM notes WHERE text = 'while the replica was down'")).rowCount === 1,
      'the replica caught up',
      5_000,
    );
  });
});

test('a second start reuses both data directories and ports', async () => {
  const identity = async () =>
    Promise.all(
      [database.primary, database.replica!].map(
        async (server) => `${server.port}:${(await stat(path.join(server.dataDir, 'PG_VERSION'))).ino}`,
      ),
    );
  const before = await identity();
  await database.stop();
  database = await startDatabase();
  expect(await identity()).toEqual(before);
  expect(await replication()).toEqual([{ application_name: 'replica', state: 'streaming', sync_state: 'quorum' }]);
  const count = (url: string) => withClient(url, async (db) => (await db.query('SELECT count(*)::int AS n FROM notes')).rows[0].n);
  expect(await count(replicaUrl())).toBe(2);
  expect(await count(database.primary.url)).toBe(2);
}, 30_000);

describe('losing the primary', () => {
  const nodes: Supervised[] = [];
  /** A forum node as the cluster runs one (the image's CMD from the repository root), on `databaseUrl`. */
  const startNode = async (databaseUrl: string, name: string) => {
    const image = readImageCommand();
    const port = await new PortBook(dir).port(name);
    const [command, ...args] = image.cmd;
    const node = new Supervised(
      {
        name,
        command: command!,
        args,
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          ...image.env,
          STORE: 'postgres',
          DATABASE_URL: databaseUrl,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATA_DIR: path.join(dir, name),
          JWT_SECRET: 'a-test-secret-of-at-least-thirty-two-characters',
          ADMIN_LOGIN: ADMIN.login,
          ADMIN_PASSWORD: ADMIN.password,
          INSTANCE_NAME: name,
          LOG_LEVEL: 'warn',
        },
      },
      path.join(dir, 'logs'),
    );
    nodes.push(node);
    node.start();
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/readyz`, { timeoutMs: 30_000, alive: () => node.alive });
    return { url };
  };
  afterAll(async () => {
    for (const node of nodes) await node.stop('SIGTERM', 5_000);
  });

  test('kill -9 of the primary, the replica promoted, a node pointed at it: every acknowledged write is there, and it takes writes', async () => {
    const first = await startNode(database.primary.url, 'node-1');
    const forum = createClient({ baseUrl: first.url, maxRetries: 0 });
    expect((await forum.login(ADMIN.login, ADMIN.password)).error).toBeUndefined();
    const post = (await forum.posts.create({ title: 'Replicated', url: 'https://example.com/replica' })).data!;
    expect(post).toBeDefined();

    // Three writers comment until their first refusal; the primary dies under them.
    const acknowledged: string[] = [];
    let killed = false;
    const writers = [1, 2, 3].map(async (w) => {
      for (let n = 1; ; n += 1) {
        const result = await forum.comments.create(post.id, { text: `comment ${n} of writer ${w}` });
        if (!result.data) {
          expect(killed).toBe(true);
          return;
        }
        acknowledged.push(result.data.id);
      }
    });
    await waitFor(() => acknowledged.length >= 30, '30 acknowledged comments', 20_000);
    killed = true;
    await database.primary.kill();
    await Promise.all(writers);

    const began = performance.now();
    await database.promoteReplica();
    process.stdout.write(`promotion: pg_ctl promote returned after ${(performance.now() - began).toFixed(0)} ms\n`);
    const second = await startNode(replicaUrl(), 'node-2');
    const stored = await withClient(replicaUrl(), async (db) => {
      expect((await db.query('SELECT pg_is_in_recovery() AS standby')).rows).toEqual([{ standby: false }]);
      return (await db.query<{ id: string }>('SELECT id FROM comments WHERE id = ANY($1::uuid[])', [acknowledged])).rows.map((r) => r.id);
    });
    expect(stored.sort()).toEqual([...acknowledged].sort());
    process.stdout.write(`failover: ${acknowledged.length} acknowledged comments, all on the promoted replica\n`);

    const promoted = createClient({ baseUrl: second.url, maxRetries: 0 });
    expect((await promoted.login(ADMIN.login, ADMIN.password)).error).toBeUndefined();
    const after = await promoted.comments.create(post.id, { text: 'after the failover' });
    expect(after.response?.status).toBe(201);
    expect((await promoted.posts.get(post.id)).data?.commentCount).toBeGreaterThanOrEqual(acknowledged.length + 1);
  }, 60_000);
});

describe("the units' PostgreSQL commands, run against this machine's PostgreSQL", () => {
  const FLEET = fileURLToPath(new URL('../fleet/', import.meta.url));
  let unitsDir: string;
  let primary: ClusterDatabase;
  let standby: ClusterPostgres | undefined;
  let bin: string;

  /**
   * The `sh -ec "…"` script of a unit's `key=` line as systemd hands it to sh: the quoting these
   * units use undone (`\"`, `\\`, `$$`) and `${VAR}` replaced from `vars`.
   */
  function unitScript(unit: string, key: string, index: number, vars: Record<string, string>): string {
    const line = readFileSync(path.join(FLEET, unit), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(`${key}=`))[index]!;
    const quoted = /sh -ec "(.*)"$/.exec(line)![1]!;
    return quoted
      .replace(/\\(["\\])/g, '$1')
      .replaceAll('$$', '$')
      .replace(/\$\{(\w+)\}/g, (_, name: string) => vars[name]!);
  }

  /** Runs a script with PostgreSQL's programs on PATH, as the user PostgreSQL runs as (postgres, under root). */
  async function sh(script: string, env: Record<string, string>): Promise<void> {
    const [command, ...args] =
      process.getuid?.() === 0 ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--', 'sh'] : ['sh'];
    await run(command!, [...args, '-ec', script], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, timeout: 30_000 });
  }

  beforeAll(async () => {
    ({ dir: unitsDir, database: primary } = await unitsDatabase!);
    bin = path.dirname(findPrograms(['postgres']).postgres);
  }, 60_000);

  afterAll(async () => {
    await standby?.stop();
    await primary?.stop();
    await removeDir(unitsDir);
  }, 30_000);

  test('the primary sets up the replicator, the replica copies it and streams, then the primary waits for it only while it runs', async () => {
    const DATABASE_URL = primary.primary.url;
    const setup = unitScript('news-forum-postgres.service', 'ExecStartPost', 0, {});
    // Twice: every start runs it.
    for (let i = 0; i < 2; i += 1) await sh(setup, { DATABASE_URL, PGDATA: primary.primary.dataDir, REPLICATION_PASSWORD: "it's secret" });
    expect(await primary.primary.query("SELECT rolreplication, rolcanlogin FROM pg_roles WHERE rolname = 'replicator'")).toBe('t|t');
    const hba = readFileSync(path.join(primary.primary.dataDir, 'pg_hba.conf'), 'utf8');
    expect(hba.match(/^host replication replicator all scram-sha-256$/gm)).toHaveLength(1);

    standby = new ClusterPostgres({
      name: 'postgres-replica',
      dir: unitsDir,
      port: await new PortBook(unitsDir).port('postgres-replica'),
      bin,
      logDir: path.join(unitsDir, 'logs'),
      settings: { hot_standby: 'on', cluster_name: 'replica' },
    });
    await mkdir(path.dirname(standby.dataDir), { recursive: true, mode: 0o755 });
    if (process.getuid?.() === 0) await run('chown', ['postgres:postgres', path.dirname(standby.dataDir)]);
    const copy = unitScript('news-forum-postgres-replica.service', 'ExecStartPre', 2, { POSTGRES_PRIMARY_HOST: '127.0.0.1' });
    await sh(copy.replace('-p 5432', `-p ${primary.primary.port}`), { PGDATA: standby.dataDir });
    await standby.start(() => Promise.reject(new Error('the unit made no data directory')));
    await sh(unitScript('news-forum-postgres-replica.service', 'ExecStartPost', 0, {}), { DATABASE_URL });
    expect(await primary.primary.query('SELECT application_name, state, sync_state FROM pg_stat_replication')).toBe(
      'replica|streaming|quorum',
    );

    await standby.stop();
    await sh(unitScript('news-forum-postgres-replica.service', 'ExecStopPost', 0, {}), { DATABASE_URL });
    await waitFor(async () => (await primary.primary.query('SHOW synchronous_standby_names')) === '', 'the primary alone', 5_000);
  }, 60_000);

  test("the watch on the primary's machine: a replica lost without its ExecStopPost holds commits only for the watch's grace", async () => {
    const DATABASE_URL = primary.primary.url;
    await standby!.start(() => Promise.reject(new Error('the replica has no data directory')));
    await sh(unitScript('news-forum-postgres-replica.service', 'ExecStartPost', 0, {}), { DATABASE_URL });
    expect(await primary.primary.query('SELECT sync_state FROM pg_stat_replication')).toBe('quorum');
    // As when its machine is lost: no ExecStopPost runs, so commits wait for it.
    await standby!.kill();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    let committed = false;
    const write = client.query('CREATE TABLE written_while_alone (id integer)').then(() => {
      committed = true;
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(committed).toBe(false);
      const script = unitScript('news-forum-postgres-sync-watch.service', 'ExecStart', 0, {});
      expect(script).toContain('grace=10;');
      const [command, ...args] =
        process.getuid?.() === 0 ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--', 'sh'] : ['sh'];
      const watch = spawn(command!, [...args, '-ec', script.replace('grace=10;', 'grace=2;')], {
        env: { PATH: `${bin}:/usr/bin:/bin`, DATABASE_URL },
        stdio: 'ignore',
      });
      try {
        await write;
        expect(await primary.primary.query('SHOW synchronous_standby_names')).toBe('');
      } finally {
        watch.kill();
      }
    } finally {
      await client.end();
    }
  }, 60_000);
});
