import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { openPgliteDriver } from './sql/pglite-driver.js';
import { SqlStore, type SqlStoreOptions } from './sql/sql-store.js';

/** The embedded store: PGlite persisted in `<dataDir>/pglite`, created on first use. */
export async function openEmbeddedStore(dataDir: string, options?: SqlStoreOptions): Promise<SqlStore> {
  const directory = path.join(dataDir, 'pglite');
  await mkdir(directory, { recursive: true });
  return SqlStore.open('embedded', await openPgliteDriver(directory), options);
}
