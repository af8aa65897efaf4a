import { openPgDriver } from './sql/pg-driver.js';
import { SqlStore, type SqlStoreOptions } from './sql/sql-store.js';

/** The postgres store: a `pg` pool on `databaseUrl`, schema migrated on open. */
export function openPostgresStore(databaseUrl: string, options?: SqlStoreOptions): Promise<SqlStore> {
  return SqlStore.open('postgres', openPgDriver(databaseUrl), options);
}
