import pg from 'pg';
import { isUnreachable, rethrowDatabaseError } from './database-errors.js';
import type { ListenHandlers, SqlDriver, SqlExecutor } from './driver.js';
import { PgListener } from './pg-listener.js';

function executor(db: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query<R>(text: string, params: readonly unknown[] = [], name?: string) {
      const values = params as unknown[];
      return (await (name === undefined ? db.query(text, values) : db.query({ name, text, values }))).rows as R[];
    },
    async exec(text: string) {
      await db.query(text);
    },
  };
}

/**
 * Connections the pool keeps however long they are idle (it closes the others
 * after 10 s): the first vote after a quiet spell would otherwise wait for a new
 * connection and prepare its statements again, tens of milliseconds. As many
 * as the votes' batches may use at once.
 */
export const POOL_KEPT_CONNECTIONS = 4;

/** How long a session may sit idle inside a transaction before PostgreSQL ends it. */
export const IDLE_IN_TRANSACTION_MS = 60_000;

/** A `pg` pool for statements plus one dedicated connection per LISTEN. */
export function openPgDriver(connectionString: string): SqlDriver {
  const config: pg.ClientConfig = {
    connectionString,
    application_name: 'news-forum',
    connectionTimeoutMillis: 10_000,
    // A node that stops (frozen, cut off) inside a transaction would hold its row locks, and so the votes of every
    // node on those posts, until TCP gives up, hours later: PostgreSQL ends such a session after a minute.
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
  };
  const pool = new pg.Pool({ ...config, min: POOL_KEPT_CONNECTIONS });
  // Idle clients that lose their connection are removed by the pool; without
  // this listener their error would crash the process.
  pool.on('error', () => undefined);
  // A client's 'error' event is listened to by the pool only while it is idle
  // or running a pool.query, once. A server that dies sends a fatal message
  // and then drops the socket, which can reach a client between statements,
  // after its release or twice in a row: every client keeps a listener of its
  // own for its whole life. The statement under way still fails with the error.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const direct = executor(pool);
  return {
    query: <R>(text: string, params?: readonly unknown[], name?: string) => direct.query<R>(text, params, name).catch(rethrowDatabaseError),
    exec: (text) => direct.exec(text).catch(rethrowDatabaseError),
    async transaction(fn) {
      const client = await pool.connect().catch(rethrowDatabaseError);
      let broken: Error | undefined;
      const onError = (error: Error) => (broken ??= error);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        if (isUnreachable(error)) broken = error as Error;
        else await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        return rethrowDatabaseError(error);
      } finally {
        client.off('error', onError);
        // A client whose connection failed must not go back to the pool.
        client.release(broken);
      }
    },
    async listen(channel: string, handlers: ListenHandlers) {
      const listener = new PgListener(config, channel, handlers);
      await listener.start().catch(rethrowDatabaseError);
      return () => listener.stop();
    },
    async close() {
      await pool.end();
    },
  };
}
