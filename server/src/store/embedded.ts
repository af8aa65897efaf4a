import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import { lockDataDir } from './data-dir-lock.js';
import { copyEmbeddedTemplate } from './embedded-template.js';
import { openPgliteDriver } from './sql/pglite-driver.js';
import { SqlStore, type SqlStoreOptions } from './sql/sql-store.js';

/**
 * The embedded store: PGlite persisted in `<dataDir>/pglite`, created on
 * first use. PGlite has no locking of its own and two processes on one
 * directory lose data silently: the directory is locked while open, and
 * opening it where another node holds it throws DataDirInUseError. An empty
 * directory is filled with a copy of the data directory the build prepared
 * (initialised and migrated), which takes a fraction of initdb's time.
 */
// PostgreSQL's code in WebAssembly stays on V8's baseline compiler: optimizing
// what start-up runs costs seconds of CPU and tens of MB of code an idle node
// keeps, and the reads a node serves most come from memory, not from SQL.
// Tiering also takes a node's core while it recompiles: PGlite alone on one
// core ran its first 2,000 statements at p99 6.7–17 ms with it, 5.5 ms without.
// Each function is validated when it is first compiled rather than all of them
// before the first runs: most of PostgreSQL's never run in a node, and
// checking them all took 20–45 ms of a start on one core.
v8.setFlagsFromString('--liftoff-only');
v8.setFlagsFromString('--wasm-lazy-validation');

export async function openEmbeddedStore(dataDir: string, options?: SqlStoreOptions): Promise<SqlStore> {
  const directory = path.join(dataDir, 'pglite');
  await mkdir(directory, { recursive: true });
  const release = await lockDataDir(directory);
  try {
    // The node's alone, as PostgreSQL keeps its data directory: PGlite makes its files readable by others (0644
    // here), and directories of earlier versions held files anyone could write (0666); closing the folder covers both.
    // A folder of another account, or on a read-only mount, stays as it is: its owner decides.
    await chmod(directory, 0o700).catch(() => undefined);
    const copied = await copyEmbeddedTemplate(directory);
    const driver = await openPgliteDriver(directory);
    // Each copy of the template would hold its epoch: a forum made anew (or restored) must not pass for the one it replaced.
    if (copied)
      await driver.query('UPDATE change_log_state SET epoch = gen_random_uuid()').catch(async (error: unknown) => {
        await driver.close();
        throw error;
      });
    return await SqlStore.open(
      'embedded',
      {
        ...driver,
        async close() {
          // A lock kept after a failed close stays refreshed: removing the directory then would stop the process.
          try {
            await driver.close();
          } finally {
            await release();
          }
        },
      },
      options,
    );
  } catch (error) {
    await release();
    throw error;
  }
}
