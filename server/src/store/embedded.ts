import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { lockDataDir } from './data-dir-lock.js';
import { openPgliteDriver } from './sql/pglite-driver.js';
import { SqlStore, type SqlStoreOptions } from './sql/sql-store.js';

/**
 * The embedded store: PGlite persisted in `<dataDir>/pglite`, created on
 * first use. PGlite has no locking of its own and two processes on one
 * directory lose data silently: the directory is locked while open, and
 * opening it where another node holds it throws DataDirInUseError.
 */
export async function openEmbeddedStore(dataDir: string, options?: SqlStoreOptions): Promise<SqlStore> {
  const directory = path.join(dataDir, 'pglite');
  await mkdir(directory, { recursive: true });
  const release = await lockDataDir(directory);
  try {
    const driver = await openPgliteDriver(directory);
    return await SqlStore.open(
      'embedded',
      {
        ...driver,
        async close() {
          await driver.close();
          await release();
        },
      },
      options,
    );
  } catch (error) {
    await release();
    throw error;
  }
}
