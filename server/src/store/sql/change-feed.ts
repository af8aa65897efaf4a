import { backoffDelay, wait } from '../../backoff.js';
import { Subscription } from '../feed-subscription.js';
import type { FeedItem, Table } from '../store.js';
import { type ChangeNotice, type NoticeRow, parseNotice } from './change-notice.js';
import type { SqlDriver, SqlExecutor } from './driver.js';
import { CHANGES_CHANNEL } from './migrations.js';
import type { CastChanges } from './vote-batcher.js';

/** Where a reader of the change log stands: the log's epoch and the last seq read. */
export interface FeedPosition {
  epoch: string;
  seq: number;
}

const BATCH = 500;
/** How long a read waits at most for this store's statements under way to answer with their changes. */
const CAST_WAIT_MS = 20;

/**
 * The rows after seq $1, with the log's state. One statement, one snapshot: the state row and the rows are
 * consistent. Its estimate must stay below jit_above_cost, or every read spends ≈ 25 ms compiling: LIMIT 1 tells
 * the planner there is one state row (unanalysed, it assumes 1,540), and the batch is a constant, so that a
 * generic plan of the prepared statement knows it too.
 */
export const READ_CHANGES = `SELECT s.epoch::text AS epoch, s.pruned_through::text AS pruned,
       (SELECT change_stamp(created_at) FROM changes WHERE seq = $1) AS at_position,
       c.seq::text AS seq, c.tbl, c.old_val, c.new_val, change_stamp(c.created_at) AS created
  FROM (SELECT epoch, pruned_through FROM change_log_state LIMIT 1) s
  LEFT JOIN LATERAL (SELECT seq, tbl, old_val, new_val, created_at FROM changes
                      WHERE seq > $1 ORDER BY seq LIMIT ${BATCH}) c ON true
 ORDER BY c.seq`;

/**
 * A new epoch for a log that lost commits under its old one, unless another
 * node has given it one already.
 */
const RENEW_EPOCH = 'UPDATE change_log_state SET epoch = gen_random_uuid() WHERE epoch = $1::uuid';

/** The head of the change log: everything up to `seq` has been committed or pruned. */
export async function readFeedPosition(db: SqlExecutor): Promise<FeedPosition> {
  const [row] = await db.query<{ epoch: string; seq: string }>(
    `SELECT epoch::text AS epoch,
            greatest(pruned_through, coalesce((SELECT max(seq) FROM changes), 0))::text AS seq
       FROM change_log_state`,
  );
  if (!row) throw new Error('change_log_state is empty; the schema is damaged');
  return { epoch: row.epoch, seq: Number(row.seq) };
}

interface LogRow {
  epoch: string;
  pruned: string;
  /** change_stamp() of the row at the reader's position; null when there is none. */
  at_position: string | null;
  created: string | null;
  seq: string | null;
  tbl: Table | null;
  old_val: unknown;
  new_val: unknown;
}

/**
 * Reads the change log (filled by triggers, announced by NOTIFY) once per
 * store and hands every row to the subscribers of its table, in seq order,
 * which the triggers make commit order. A row announced with its content
 * right after the last row delivered, in the same epoch, is delivered from
 * the notice without reading the log; anything else (a gap, a bare seq, a
 * reconnect, a read under way) is read.
 *
 * A subscriber gets every change committed after it subscribed, and maybe a
 * few from just before (consumers drop those by `version`): the feed's
 * position is taken when the store opens and LISTEN starts with the first
 * subscriber, which therefore also gets what was committed in between.
 */
export class ChangeFeed implements CastChanges {
  readonly #driver: SqlDriver;
  readonly #readName: string | undefined;
  #position: FeedPosition;
  /**
   * When the last row read was written. A database that comes back from a
   * crash or a failover without its last commits (asynchronous commit or
   * replication) reuses their seqs: a different row, or none, at the
   * position means changes this reader delivered were undone.
   */
  #stamp: string | undefined;
  readonly #subscribers = new Set<Subscription>();
  #listening: Promise<void> | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #draining: Promise<void> | undefined;
  /** A wake that names no seq (catch-up, reconnect): the log must be read whatever the position. */
  #again = false;
  /**
   * The listening connection is lost. The pool may already reach a database
   * that came back without commits this reader delivered, and a statement's
   * answer could then seem to follow them: nothing is delivered but what a
   * read finds until the listener is back and a read has checked the
   * position.
   */
  #deaf = false;
  /**
   * The highest seq NOTIFY announced. A commit of n changes sends n
   * notifications at once; a read started after the first covers the
   * others, which then need no read of their own.
   */
  #announced = 0;
  /** This store's vote statements under way, which answer with the changes they log (migration 14). */
  #casting = 0;
  /** A read held back for them, and the timer that bounds the wait. */
  #held: NodeJS.Timeout | undefined;
  /** Rows taken from notices and not yet handed on, in seq order. */
  #outbox: { tbl: Table; item: FeedItem<Table> }[] = [];
  readonly #closing = new AbortController();

  get #closed(): boolean {
    return this.#closing.signal.aborted;
  }

  /**
   * `prepared`: the log's read is a named statement. On PostgreSQL that keeps
   * its plan below JIT's threshold; on PGlite the named read was measured
   * slower under load (votes through HTTP 0.52–0.62× bare instead of 0.96×;
   * the cause was not found), so the embedded store reads unnamed.
   */
  constructor(driver: SqlDriver, position: FeedPosition, options: { prepared: boolean }) {
    this.#driver = driver;
    this.#position = position;
    this.#readName = options.prepared ? 'news_forum_read_changes' : undefined;
  }

  /** The log's epoch where the feed stands: see Store.epoch. */
  get epoch(): string {
    return this.#position.epoch;
  }

  /** A new, independent stream of the table's changes; see Store.changes. */
  subscribe<K extends Table>(table: K, signal?: AbortSignal): AsyncIterable<FeedItem<K>> {
    const subscription = new Subscription(table, signal, () => this.#subscribers.delete(subscription));
    if (this.#closed || signal?.aborted) {
      subscription.end();
    } else {
      this.#subscribers.add(subscription);
      this.#listening ??= this.#listen();
    }
    return { [Symbol.asyncIterator]: () => subscription as AsyncIterator<FeedItem<K>> };
  }

  /**
   * False while subscribers wait on a listener that is not connected (being
   * made, or lost): new commits then reach them only once it is back.
   */
  get hearing(): boolean {
    return this.#listening === undefined || (this.#unlisten !== undefined && !this.#deaf);
  }

  async close(): Promise<void> {
    this.#closing.abort();
    clearTimeout(this.#held);
    for (const subscription of this.#subscribers) subscription.end();
    await this.#listening;
    await this.#draining;
    await this.#unlisten?.().catch(() => undefined);
  }

  async #listen(): Promise<void> {
    for (let attempt = 0; !this.#closed; attempt++) {
      try {
        const unlisten = await this.#driver.listen(CHANGES_CHANNEL, {
          onNotify: (payload) => this.#notified(parseNotice(payload)),
          onDrop: () => {
            this.#deaf = true;
          },
          onReconnect: () => {
            this.#deaf = false;
            this.#wake();
          },
        });
        if (this.#closed) await unlisten();
        else this.#unlisten = unlisten;
        // Catch up with what was committed before LISTEN took effect.
        this.#wake();
        return;
      } catch {
        await wait(backoffDelay(attempt), this.#closing.signal);
      }
    }
  }

  casting(): void {
    this.#casting++;
  }

  /**
   * A statement of this store answered (`notice`: the changes it logged, or
   * none): they are handed on at once when they follow what was delivered,
   * as a notice carrying them would be; else the log is read. Reads wanted
   * while statements are under way wait for them, up to CAST_WAIT_MS: their
   * answers often bring what a bare notice, which comes first, announced.
   */
  cast(notice: ChangeNotice | undefined): void {
    this.#casting--;
    // Without a subscriber the feed neither listens nor reads.
    if (notice && this.#listening) this.#notified(notice);
    if (this.#casting === 0 && this.#held) this.#release();
  }

  #release(): void {
    clearTimeout(this.#held);
    this.#held = undefined;
    this.#wake(false);
  }

  #notified(notice: ChangeNotice | undefined): void {
    if (notice === undefined) {
      this.#wake();
      return;
    }
    // One we have read needs no query.
    if (notice.seq <= this.#position.seq) return;
    const rows = notice.rows;
    if (rows && this.#follows(rows.list, rows.epoch)) {
      for (const row of rows.list) {
        this.#advance(row.seq, rows.epoch, rows.stamp);
        // Handed on in a turn of its own: the writer is answered first (on PGlite the notice comes within its statement).
        if (this.#outbox.push({ tbl: rows.tbl, item: { old_val: row.old_val, new_val: row.new_val } as FeedItem<Table> }) === 1) {
          setImmediate(() => this.#sendOutbox());
        }
      }
      return;
    }
    this.#announced = Math.max(this.#announced, notice.seq);
    if (this.#casting === 0) this.#wake(false);
    else this.#held ??= setTimeout(() => this.#release(), CAST_WAIT_MS).unref();
  }

  /**
   * Whether rows can be delivered from their notice: they come one after the
   * other right after the position, in its epoch, the listener is connected,
   * and no read is under way or owed (a read's rows must not be overtaken,
   * and after a reconnect the position is checked by a read first).
   */
  #follows(rows: readonly NoticeRow[], epoch: string): boolean {
    if (this.#closed || this.#deaf || this.#draining || this.#again || epoch !== this.#position.epoch) return false;
    return rows.every((row, i) => row.seq === this.#position.seq + 1 + i);
  }

  #advance(seq: number, epoch: string, stamp: string | null): void {
    this.#position = { epoch, seq };
    this.#stamp = stamp ?? undefined;
  }

  /** Hands `item` to the subscribers of `tbl` (every table: undefined), after the rows taken from notices. */
  #hand(tbl: Table | undefined, item: FeedItem<Table>): void {
    this.#sendOutbox();
    for (const subscription of this.#subscribers) {
      if (tbl === undefined || subscription.table === tbl) subscription.push(item);
    }
  }

  #sendOutbox(): void {
    if (this.#outbox.length === 0) return;
    const outbox = this.#outbox;
    this.#outbox = [];
    for (const { tbl, item } of outbox) this.#hand(tbl, item);
  }

  /** Reads the log unless it is being read; `unknown`: whatever the position (else up to #announced). */
  #wake(unknown = true): void {
    if (this.#closed) return;
    if (unknown) this.#again = true;
    if (this.#draining) return;
    const draining = this.#drain();
    this.#draining = draining;
    void draining.finally(() => {
      this.#draining = undefined;
      // A wake between the drain's last check and here must not be lost.
      if (this.#again || this.#behind()) this.#wake(false);
    });
  }

  /** Whether NOTIFY announced a seq past what was read. */
  #behind(): boolean {
    return this.#announced > this.#position.seq;
  }

  async #drain(): Promise<void> {
    for (let attempt = 0; (this.#again || this.#behind()) && !this.#closed; ) {
      this.#again = false;
      const target = this.#announced;
      try {
        while (!this.#closed && (await this.#readBatch()) === BATCH);
        // A notification is sent after its commit, so a read begun after it has the row: one still missing means
        // the log was replaced under us (the read handles that); waiting for it would read forever.
        if (this.#position.seq < target && this.#announced === target) this.#announced = this.#position.seq;
        attempt = 0;
      } catch {
        // The database is unreachable; the listener's reconnect wakes us too,
        // but retry in case only the pool was affected.
        this.#again = true;
        await wait(backoffDelay(attempt++), this.#closing.signal);
      }
    }
  }

  /** Delivers the next rows after the position; returns how many were read. */
  async #readBatch(): Promise<number> {
    const rows = await this.#driver.query<LogRow>(READ_CHANGES, [this.#position.seq], this.#readName);
    const state = rows[0];
    if (!state || this.#closed) return 0;
    const pruned = Number(state.pruned);
    // A feed opened on a position learns the stamp of its row on the first read.
    if (this.#stamp === undefined && pruned < this.#position.seq) this.#stamp = state.at_position ?? undefined;
    const undone = pruned < this.#position.seq && (state.at_position ?? undefined) !== this.#stamp;
    if (state.epoch !== this.#position.epoch || pruned > this.#position.seq || undone) {
      // The database was replaced, pruned past us or lost commits we delivered.
      const rewound = undone || state.epoch !== this.#position.epoch;
      // Lost under the same epoch, the history clients saw is gone without a sign for those away now (they compare
      // epochs when they subscribe again): a new epoch is that sign, and every other node resets on it too. A
      // failed write leaves the position as it was, so the next read finds the loss again and retries.
      if (undone && state.epoch === this.#position.epoch) await this.#driver.query(RENEW_EPOCH, [state.epoch]);
      this.#position = await readFeedPosition(this.#driver);
      this.#stamp = undefined;
      this.#announced = 0;
      // What committed after the head was read, announced while it was, is read next rather than at the next change.
      this.#again = true;
      this.#hand(undefined, rewound ? { reset: true, rewound: true } : { reset: true });
      return 0;
    }
    let read = 0;
    for (const row of rows) {
      if (row.seq === null || row.tbl === null) continue;
      read++;
      this.#advance(Number(row.seq), state.epoch, row.created);
      this.#hand(row.tbl, { old_val: row.old_val, new_val: row.new_val } as FeedItem<Table>);
    }
    return read;
  }
}
