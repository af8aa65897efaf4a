import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { openEmbeddedStore } from '../../src/store/embedded.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { SqlDriver } from '../../src/store/sql/driver.js';
import { MIGRATIONS } from '../../src/store/sql/migrations.js';
import { openPgDriver } from '../../src/store/sql/pg-driver.js';
import { openPgliteDriver } from '../../src/store/sql/pglite-driver.js';
import type { SqlStoreOptions } from '../../src/store/sql/sql-store.js';
import type { Store } from '../../src/store/store.js';
import { scratchDir, type TestPostgres } from './postgres.js';

const execFileAsync = promisify(execFile);

/** A store of its own for one test. */
export interface TestStore<S extends Store = Store> {
  store: S;
  cleanup(): Promise<void>;
}

/** PGlite's version: a data directory made by another PGlite is not reused. */
function pgliteVersion(): string {
  // The package's exports map hides its package.json; find it from the entry point (dist/index.*).
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  return JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')).version as string;
}

/** The schema's fingerprint: a template made by other migrations (or another PGlite) is not reused. */
function schemaHash(): string {
  // Functions (a migration's `before`) count by their source text.
  const schema = JSON.stringify({ pgliteVersion: pgliteVersion(), MIGRATIONS }, (_, value: unknown) =>
    typeof value === 'function' ? String(value) : value,
  );
  return createHash('sha256').update(schema).digest('hex').slice(0, 16);
}

const prepared = new Map<string, Promise<string>>();

// Copies go to RAM where there is a tmpfs: writing 40 MB per test to a slow
// disk costs more than the rest of most tests.
const SCRATCH = scratchDir();

/**
 * A data directory named `name` that `make` fills, made once and kept under
 * the OS temp directory across runs (initdb takes seconds; copying takes
 * milliseconds).
 */
function preparedDir(name: string, make: (dir: string) => Promise<void>): Promise<string> {
  let dir = prepared.get(name);
  if (!dir) {
    dir = (async () => {
      const dir = path.join(tmpdir(), name);
      if (existsSync(dir)) return dir;
      // Built aside and renamed into place, so parallel workers never see half a directory.
      const building = `${dir}.${process.pid}-${randomUUID()}`;
      await make(building);
      try {
        await rename(building, dir);
      } catch (error) {
        await rm(building, { recursive: true, force: true });
        if (!existsSync(dir)) throw error;
      }
      return dir;
    })();
    prepared.set(name, dir);
  }
  return dir;
}

/** A fresh copy of a prepared data directory, in SCRATCH. */
async function copyOf(template: string): Promise<string> {
  const dataDir = await mkdtemp(path.join(SCRATCH, 'news-forum-data-'));
  // cp(1) copies the ~1,000 files in tens of milliseconds; fs.cp takes most of a second.
  await execFileAsync('cp', ['-R', `${template}/.`, dataDir]);
  return dataDir;
}

/** An initialised, migrated embedded database. */
const templateDir = () =>
  preparedDir(`news-forum-store-template-${schemaHash()}`, async (dir) => {
    await (await openEmbeddedStore(dir)).close();
  });

/** An initialised embedded database without any schema. */
const blankTemplateDir = () =>
  preparedDir(`news-forum-blank-template-${pgliteVersion()}`, async (dir) => {
    await (await openPgliteDriver(dir)).close();
  });

/**
 * An embedded store on a fresh copy of the prepared template. `cleanup`
 * closes it and removes `dataDir`.
 *
 * @example
 * const { store, cleanup } = await createEmbeddedStore();
 */
export async function createEmbeddedStore(options?: SqlStoreOptions): Promise<TestStore & { dataDir: string }> {
  const dataDir = await copyOf(await templateDir());
  const store = await openEmbeddedStore(dataDir, options);
  return {
    store,
    dataDir,
    async cleanup() {
      await store.close().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const postgresTemplates = new WeakMap<TestPostgres, Promise<void>>();
const TEMPLATE_DB = 'news_forum_template';

/** Connection string of another database on the same server. */
export function databaseUrl(server: TestPostgres, database: string): string {
  const url = new URL(server.url);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(server: TestPostgres, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A postgres store on a database of its own, cloned from a migrated
 * template database of `server`. `cleanup` closes it and drops the database.
 */
export async function createPostgresStore(server: TestPostgres, options?: SqlStoreOptions): Promise<TestStore & { url: string }> {
  let template = postgresTemplates.get(server);
  if (!template) {
    template = (async () => {
      await admin(server, (client) => client.query(`CREATE DATABASE ${TEMPLATE_DB}`));
      await (await openPostgresStore(databaseUrl(server, TEMPLATE_DB))).close();
    })();
    postgresTemplates.set(server, template);
  }
  await template;
  const database = `news_forum_${randomUUID().replaceAll('-', '')}`;
  await admin(server, (client) => client.query(`CREATE DATABASE ${database} TEMPLATE ${TEMPLATE_DB} STRATEGY FILE_COPY`));
  const url = databaseUrl(server, database);
  const store = await openPostgresStore(url, options);
  return {
    store,
    url,
    async cleanup() {
      await store.close().catch(() => undefined);
      await admin(server, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
    },
  };
}

/**
 * A driver on a new, empty database without any schema, for tests of the
 * migrations: PGlite on a copy of a blank data directory (initdb in memory
 * takes seconds), or a database of its own on `server`.
 * `cleanup` closes the driver (also when a store opened on it closed it) and
 * drops the database.
 */
export async function createBlankDatabase(server: TestPostgres | undefined): Promise<{ driver: SqlDriver; cleanup(): Promise<void> }> {
  if (!server) {
    const dataDir = await copyOf(await blankTemplateDir());
    const driver = await openPgliteDriver(dataDir);
    return {
      driver,
      async cleanup() {
        await driver.close().catch(() => undefined);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  const database = `news_forum_blank_${randomUUID().replaceAll('-', '')}`;
  await admin(server, (client) => client.query(`CREATE DATABASE ${database}`));
  const driver = openPgDriver(databaseUrl(server, database));
  return {
    driver,
    async cleanup() {
      await driver.close().catch(() => undefined);
      await admin(server, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
    },
  };
}
