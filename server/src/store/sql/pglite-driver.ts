import { PGlite, type Transaction } from '@electric-sql/pglite';
import { rethrowDatabaseError } from './database-errors.js';
import type { ListenHandlers, SqlDriver, SqlExecutor } from './driver.js';
import { PreparedStatements } from './pglite-prepared.js';

// PostgreSQL's shared buffers live in the WebAssembly heap and are touched
// at start: an idle node would hold them all. The data files stay in the
// operating system's page cache, so a small buffer pool costs little.
const MEMORY_SETTINGS = ['-c', 'shared_buffers=4MB', '-c', 'wal_buffers=256kB', '-c', 'temp_buffers=1MB'];

function executor(db: PGlite | Transaction): SqlExecutor {
  return {
    async query<R>(text: string, params: readonly unknown[] = []) {
      return (await db.query<R>(text, params as unknown[])).rows;
    },
    async exec(text: string) {
      await db.exec(text);
    },
  };
}

/**
 * PGlite (PostgreSQL in WebAssembly) persisted in `dataDir`. One session, so
 * transactions run one at a time.
 */
export async function openPgliteDriver(dataDir: string): Promise<SqlDriver> {
  const db = await PGlite.create(dataDir, { startParams: [...PGlite.defaultStartParams, ...MEMORY_SETTINGS] });
  const direct = executor(db);
  const prepared = new PreparedStatements(db);
  return {
    query: <R>(text: string, params: readonly unknown[] = [], name?: string) =>
      (name ? prepared.query<R>(name, text, params) : direct.query<R>(text, params)).catch(rethrowDatabaseError),
    exec: (text) => direct.exec(text).catch(rethrowDatabaseError),
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))).catch(rethrowDatabaseError),
    async listen(channel: string, handlers: ListenHandlers) {
      // An in-process database never drops its session, so onReconnect is never called.
      const unlisten = await db.listen(channel, (payload) => handlers.onNotify(payload));
      return async () => {
        if (!db.closed) await unlisten();
      };
    },
    async close() {
      if (!db.closed) await db.close();
    },
  };
}
