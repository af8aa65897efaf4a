import { StoreError } from '../store-error.js';
import { type Connection, r, type Term } from './reql.js';
import type { RethinkdbTarget } from './url.js';

/** Seconds to wait for one server before trying the next. */
const CONNECT_TIMEOUT_S = 3;

/** Driver and server errors that mean "the cluster cannot answer now", not "the query is wrong". */
const UNAVAILABLE = new Set([
  'ReqlDriverError',
  'ReqlAvailabilityError',
  'ReqlOpFailedError',
  'ReqlOpIndeterminateError',
  'ReqlTimeoutError',
  'ReqlResourceLimitError',
]);

/** Whether `error` means the database could not be reached or could not commit. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreError) return error.kind === 'unavailable';
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && UNAVAILABLE.has(name);
}

/** A driver error as the store's own: `unavailable` when the cluster cannot answer, else unchanged. */
export function storeError(error: unknown): unknown {
  if (error instanceof StoreError || !isUnavailable(error)) return error;
  return new StoreError('unavailable', 'The RethinkDB cluster cannot be reached', { cause: error });
}

/**
 * One connection to the cluster, reopened on demand. When a server goes
 * away the next query connects to the next host of the list (RethinkDB
 * routes every query to the shard's primary from whichever server it
 * reaches, so any server will do).
 */
export class RethinkdbConnection {
  readonly target: RethinkdbTarget;
  #connection: Promise<Connection> | undefined;
  #next = 0;
  #closed = false;

  constructor(target: RethinkdbTarget) {
    this.target = target;
  }

  /** The open connection, connecting (with failover over the hosts) when there is none. */
  get(): Promise<Connection> {
    if (this.#closed) return Promise.reject(new StoreError('unavailable', 'The store is closed'));
    this.#connection ??= this.#connect().catch((error: unknown) => {
      this.#connection = undefined;
      throw error;
    });
    return this.#connection;
  }

  /** Runs a query; driver errors that mean the cluster is away become StoreError `unavailable`. */
  async run<T>(query: Term, options?: object): Promise<T> {
    const connection = await this.get();
    try {
      return (await (options ? query.run(connection, options) : query.run(connection))) as T;
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ReqlDriverError') this.#drop(connection);
      throw storeError(error);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const connection = await this.#connection?.catch(() => undefined);
    this.#connection = undefined;
    await connection?.close({ noreplyWait: false }).catch(() => undefined);
  }

  async #connect(): Promise<Connection> {
    const { hosts, db, user, password } = this.target;
    let last: unknown;
    for (let tried = 0; tried < hosts.length; tried++) {
      const { host, port } = hosts[this.#next % hosts.length] ?? { host: 'localhost', port: 28015 };
      try {
        const connection: Connection = await r.connect({
          host,
          port,
          db,
          timeout: CONNECT_TIMEOUT_S,
          ...(user === undefined ? {} : { user }),
          ...(password === undefined ? {} : { password }),
        });
        connection.on('close', () => this.#drop(connection));
        connection.on('error', () => this.#drop(connection));
        if (this.#closed) {
          await connection.close().catch(() => undefined);
          throw new StoreError('unavailable', 'The store is closed');
        }
        return connection;
      } catch (error) {
        if (error instanceof StoreError) throw error;
        last = error;
        this.#next++;
      }
    }
    throw new StoreError('unavailable', 'No RethinkDB server of RETHINKDB_URL can be reached', { cause: last });
  }

  /** Forgets a connection that failed, so the next query reconnects (to the next host). */
  #drop(connection: Connection): void {
    void this.#connection?.then(
      (current) => {
        if (current !== connection) return;
        this.#connection = undefined;
        this.#next++;
        connection.close({ noreplyWait: false }).catch(() => undefined);
      },
      () => undefined,
    );
  }
}
