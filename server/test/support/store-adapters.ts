import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { SqlDriver } from '../../src/store/sql/driver.js';
import type { SqlStoreOptions } from '../../src/store/sql/sql-store.js';
import type { Store } from '../../src/store/store.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { createBlankDatabase, createEmbeddedStore, createPostgresStore } from './store-template.js';

/** Every adapter the conformance suite runs against (`describe.each(STORE_KINDS)`). */
export const STORE_KINDS = ['embedded', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface StoreFixture {
  /** A new empty store, closed and removed after the test. */
  fresh(options?: SqlStoreOptions): Promise<Store>;
  /** Like `fresh`, with where it lives: `url` for postgres, `dataDir` for embedded. */
  open(options?: SqlStoreOptions): Promise<{ store: Store; url?: string; dataDir?: string }>;
  /** A driver on a new database without any schema (for migration tests), closed and removed after the test. */
  blank(): Promise<SqlDriver>;
  /** The PostgreSQL server of the postgres adapter (started once per describe). */
  readonly postgres: TestPostgres | undefined;
}

/** Registers the hooks that give each test of the enclosing describe its own store of `kind`. */
export function storeFixture(kind: StoreKind): StoreFixture {
  let postgres: TestPostgres | undefined;
  let opened: { cleanup(): Promise<void> }[] = [];
  beforeAll(async () => {
    if (kind === 'postgres') postgres = await startPostgres();
  }, 60_000);
  afterEach(async () => {
    await Promise.all(opened.map((test) => test.cleanup()));
    opened = [];
  });
  afterAll(async () => {
    await postgres?.stop();
  });
  return {
    get postgres() {
      return postgres;
    },
    async open(options) {
      const test = kind === 'embedded' ? await createEmbeddedStore(options) : await createPostgresStore(postgres!, options);
      opened.push(test);
      return test;
    },
    async fresh(options) {
      return (await this.open(options)).store;
    },
    async blank() {
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
