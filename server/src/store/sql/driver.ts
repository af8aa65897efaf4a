/** Runs statements on one connection or transaction. */
export interface SqlExecutor {
  /**
   * One statement with `$n` parameters; resolves to its rows. `name` keeps it
   * prepared on each connection that runs it (parsed and planned once there):
   * for statements run all the time. Outside transactions only.
   */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], name?: string): Promise<R[]>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

/** Callbacks of a LISTEN subscription. */
export interface ListenHandlers {
  /** A notification's payload; '' when it may have been sent before a reconnect was reported. */
  onNotify(payload: string): void;
  /** The listening connection was lost: notifications are missed until onReconnect. */
  onDrop?(): void;
  /**
   * The listening connection was lost and is listening again: notifications
   * sent in between were missed.
   */
  onReconnect(): void;
}

/**
 * What the SQL store needs of a PostgreSQL connection: PGlite in-process, or
 * a `pg` pool against a server. Errors that mean the database cannot be
 * reached are thrown as StoreError `unavailable`.
 */
export interface SqlDriver extends SqlExecutor {
  /** Runs `fn` in a READ COMMITTED transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Resolves once listening; the returned function stops listening. */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
