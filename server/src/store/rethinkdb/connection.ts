import { StoreError } from '../store-error.js';
import { type Connection, r, type Term } from './reql.js';
import type { RethinkdbTarget } from './url.js';

/** Seconds to wait for one server before trying the next. */
const CONNECT_TIMEOUT_S = 3;

/** The bound for queries that read or write whole tables (backup, restore, recount of every post, schema). */
export const LONG_QUERY_MS = 10 * 60_000;

/**
 * The bound for the schema's queries: creating databases, tables and indexes goes through the
 * cluster's Raft log on every replica, which takes far longer than a query of the API.
 */
export const SCHEMA_QUERY_MS = 90_000;

/** How long a query may go unanswered before its server counts as lost (default of `queryTimeoutMs`). */
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

/** How long a server that let a query time out has to answer a trivial one before its connection is dropped. */
const PROBE_TIMEOUT_MS = 2_000;

/** Driver and server errors that mean "the cluster cannot answer now", not "the query is wrong". */
const UNAVAILABLE = new Set([
  'ReqlDriverError',
  'ReqlAvailabilityError',
  'ReqlOpFailedError',
  'ReqlOpIndeterminateError',
  'ReqlTimeoutError',
  'ReqlResourceLimitError',
]);

/**
 * RethinkDB 2.4 lets a table metadata lookup that found no reachable server (as when a server has
 * just been killed) escape as an internal error instead of an availability error.
 */
const TABLE_UNREACHABLE = /table's configuration failed because (?:none of the servers were accessible|we lost contact)/;

/** Whether `error` means the database could not be reached or could not commit. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreError) return error.kind === 'unavailable';
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  if (typeof name !== 'string') return false;
  if (UNAVAILABLE.has(name)) return true;
  return name === 'ReqlInternalError' && typeof message === 'string' && TABLE_UNREACHABLE.test(message);
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
  readonly queryTimeoutMs: number;
  #connection: Promise<Connection> | undefined;
  #next = 0;
  #closed = false;
  readonly #probes = new WeakMap<Connection, Promise<boolean>>();

  constructor(target: RethinkdbTarget, queryTimeoutMs = DEFAULT_QUERY_TIMEOUT_MS) {
    this.target = target;
    this.queryTimeoutMs = queryTimeoutMs;
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

  /**
   * Runs a query; driver errors that mean the cluster is away become StoreError `unavailable`.
   * A server that stops answering without closing the connection (frozen, cut off by the
   * network) would leave the query pending for ever: after `timeoutMs` the query fails as
   * `unavailable`, and unless the server still answers a trivial query (then it is only
   * slow) the connection is dropped, so the next query goes to the next host.
   */
  async run<T>(query: Term, options?: object, timeoutMs = this.queryTimeoutMs): Promise<T> {
    refuseUnstorable(query.build());
    const connection = await this.get();
    const answer = (options ? query.run(connection, options) : query.run(connection)) as Promise<T>;
    // Once timed out, the query's own failure (the dropped connection) has no one to hear it.
    answer.catch(() => undefined);
    let timedOut = false;
    try {
      return await within(answer, timeoutMs, () => {
        timedOut = true;
        throw new StoreError('unavailable', `RethinkDB did not answer within ${timeoutMs} ms`);
      });
    } catch (error) {
      if (timedOut) {
        if (!(await this.#responsive(connection))) this.#drop(connection);
      } else if ((error as { name?: unknown }).name === 'ReqlDriverError') {
        this.#drop(connection);
      }
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

  /** Whether the server of `connection` answers a trivial query; one probe at a time per connection. */
  #responsive(connection: Connection): Promise<boolean> {
    let probe = this.#probes.get(connection);
    if (!probe) {
      const answered = (r.expr(1).run(connection) as Promise<unknown>).then(
        () => true,
        () => false,
      );
      probe = within(answered, PROBE_TIMEOUT_MS, () => false);
      this.#probes.set(connection, probe);
      void probe.finally(() => this.#probes.delete(connection));
    }
    return probe;
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

/** Throws `invalid` for a value that holds NUL, in a string or a key (`value`: a built query, or values to write). */
export function refuseUnstorable(value: unknown): void {
  // PostgreSQL refuses NUL in any text and RethinkDB in keys only: refused everywhere, a request means the same on every store.
  if (carriesNul(value)) throw new StoreError('invalid', 'A value in the request cannot be stored or compared');
}

/** Whether a built query holds a string (or an object key) with a NUL character. */
function carriesNul(built: unknown): boolean {
  if (typeof built === 'string') return built.includes('\0');
  if (Array.isArray(built)) return built.some(carriesNul);
  if (built !== null && typeof built === 'object') {
    return Object.entries(built).some(([key, value]) => key.includes('\0') || carriesNul(value));
  }
  return false;
}

/** What `promise` settles to, or what `onTimeout` returns or throws if it has not settled after `ms`. */
function within<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
