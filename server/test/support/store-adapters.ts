import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { SqlDriver } from '../../src/store/sql/driver.js';
import type { SqlStoreOptions } from '../../src/store/sql/sql-store.js';
import type { Store } from '../../src/store/store.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { createRethinkdbStore, findRethinkdb, startRethinkdb, type TestRethinkdb } from './rethinkdb.js';
import { createBlankDatabase, createEmbeddedStore, createPostgresStore } from './store-template.js';

/** The adapters over SQL, for tests of their schema and housekeeping. */
export const SQL_STORE_KINDS = ['embedded', 'postgres'] as const;
export type SqlStoreKind = (typeof SQL_STORE_KINDS)[number];

/** Whether a RethinkDB server binary is available (see support/rethinkdb.ts). */
export const RETHINKDB_AVAILABLE = findRethinkdb() !== undefined;

/**
 * Every adapter the conformance suite runs against (`describe.each(STORE_KINDS)`):
 * rethinkdb whenever a server binary is found.
 */
export const STORE_KINDS: readonly StoreKind[] = [...SQL_STORE_KINDS, ...(RETHINKDB_AVAILABLE ? (['rethinkdb'] as const) : [])];
export type StoreKind = SqlStoreKind | 'rethinkdb';

/**
 * The RethinkDB cluster the rethinkdb fixture starts: RETHINKDB_TEST_SERVERS
 * servers (default 1) with tables of as many shards and replicas, so that
 * `RETHINKDB_TEST_SERVERS=3` runs the whole suite on 3 servers, 3 × 3.
 */
export const RETHINKDB_TEST_SERVERS = Number(process.env.RETHINKDB_TEST_SERVERS ?? '1');

export interface StoreFixture {
  /** A new empty store, closed and removed after the test. */
  fresh(options?: SqlStoreOptions): Promise<Store>;
  /** Like `fresh`, with where it lives: `url` for postgres, `dataDir` for embedded. */
  open(options?: SqlStoreOptions): Promise<{ store: Store; url?: string; dataDir?: string }>;
  /** A driver on a new database without any schema (for migration tests), closed and removed after the test. */
  blank(): Promise<SqlDriver>;
  /** The PostgreSQL server of the postgres adapter (started once per describe). */
  readonly postgres: TestPostgres | undefined;
  /** The RethinkDB cluster of the rethinkdb adapter (started once per describe). */
  readonly rethinkdb: TestRethinkdb | undefined;
}

/** Registers the hooks that give each test of the enclosing describe its own store of `kind`. */
export function storeFixture(kind: StoreKind): StoreFixture {
  let postgres: TestPostgres | undefined;
  let rethinkdb: TestRethinkdb | undefined;
  let opened: { cleanup(): Promise<void> }[] = [];
  beforeAll(async () => {
    if (kind === 'postgres') postgres = await startPostgres();
    if (kind === 'rethinkdb') rethinkdb = await startRethinkdb(RETHINKDB_TEST_SERVERS);
  }, 120_000);
  afterEach(async () => {
    await Promise.all(opened.map((test) => test.cleanup()));
    opened = [];
  });
  afterAll(async () => {
    await postgres?.stop();
    await rethinkdb?.stop();
  });
  return {
    get postgres() {
      return postgres;
    },
    get rethinkdb() {
      return rethinkdb;
    },
    async open(options) {
      const n = RETHINKDB_TEST_SERVERS;
      const test =
        kind === 'embedded'
          ? await createEmbeddedStore(options)
          : kind === 'postgres'
            ? await createPostgresStore(postgres!, options)
            : await createRethinkdbStore(rethinkdb!, { layout: { shards: n, replicas: n } });
      opened.push(test);
      return test;
    },
    async fresh(options) {
      return (await this.open(options)).store;
    },
    async blank() {
      if (kind === 'rethinkdb') throw new Error('blank() is for the SQL adapters');
      const test = await createBlankDatabase(kind === 'postgres' ? postgres! : undefined);
      opened.push(test);
      return test.driver;
    },
  };
}

/**
 * Creates an account for each login: posts, comments and votes need their
 * author's account.
 *
 * @example
 * await createUsers(store, 'ana', 'bob');
 */
export async function createUsers(store: Store, ...logins: string[]): Promise<void> {
  for (const login of logins) {
    await store.createUser({ login, displayName: `User ${login}`, scopes: [], passwordHash: `hash-of-${login}` });
  }
}

/** `count` logins named `${prefix}0`, `${prefix}1`, … */
export function logins(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}
