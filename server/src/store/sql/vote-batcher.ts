import type { StoredPost, Vote } from '../store.js';
import { rethrowDatabaseError, sqlState } from './database-errors.js';
import type { SqlExecutor } from './driver.js';

const CAST_VOTE = 'SELECT cast_vote($1::uuid, $2::text, $3::smallint) AS doc';
/** Votes one transaction carries at most. */
const MAX_BATCH = 200;
// Lock conflicts PostgreSQL resolves by aborting one side; the vote is tried again.
const RETRYABLE = new Set(['40001', '40P01']);
const ATTEMPTS = 3;

interface Pending {
  postId: string;
  login: string;
  vote: Vote;
  attempts: number;
  resolve(post: StoredPost | null): void;
  reject(error: unknown): void;
}

/** What the batcher needs of the store's database. */
export interface VoteDatabase {
  /** One statement on its own (autocommit). */
  query: SqlExecutor['query'];
  /** Runs `fn` in one transaction. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

/** The error a caller sees: what rethrowDatabaseError makes of a database error. */
function storeError(error: unknown): unknown {
  try {
    return rethrowDatabaseError(error);
  } catch (converted) {
    return converted;
  }
}

/**
 * Group commit of votes. A vote that finds a free slot is cast at once, as
 * one statement; votes that arrive while `slots` transactions are under way
 * wait and then go together in one transaction, each in a savepoint of its
 * own so that one failing vote fails alone. One commit then carries many
 * votes: the change log's lock and NOTIFY are taken once for all of them,
 * and PGlite, which runs one transaction at a time, writes once. Each caller
 * is answered after the commit, as with a transaction of its own.
 */
export class VoteBatcher {
  readonly #db: () => VoteDatabase;
  readonly #slots: number;
  #queue: Pending[] = [];
  #running = 0;

  constructor(db: () => VoteDatabase, slots: number) {
    this.#db = db;
    this.#slots = slots;
  }

  cast(postId: string, login: string, vote: Vote): Promise<StoredPost | null> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ postId, login, vote, attempts: 0, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#running < this.#slots && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      this.#running++;
      void this.#commit(batch).finally(() => {
        this.#running--;
        this.#pump();
      });
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    for (const pending of batch) pending.attempts++;
    let db: VoteDatabase;
    try {
      db = this.#db();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    if (batch.length === 1) {
      const [pending] = batch as [Pending];
      try {
        const [row] = await db.query<{ doc: StoredPost | null }>(CAST_VOTE, [pending.postId, pending.login, pending.vote]);
        pending.resolve(row?.doc ?? null);
      } catch (error) {
        this.#failed(pending, error);
      }
      return;
    }
    // Posts are locked in id order, like every other writer of several posts.
    const ordered = [...batch].sort((a, b) => (a.postId < b.postId ? -1 : a.postId > b.postId ? 1 : 0));
    const outcomes = new Map<Pending, { doc: StoredPost | null } | { error: unknown }>();
    try {
      await db.transaction(async (tx) => {
        outcomes.clear();
        for (const pending of ordered) {
          await tx.query('SAVEPOINT vote');
          try {
            const [row] = await tx.query<{ doc: StoredPost | null }>(CAST_VOTE, [pending.postId, pending.login, pending.vote]);
            await tx.query('RELEASE SAVEPOINT vote');
            outcomes.set(pending, { doc: row?.doc ?? null });
          } catch (error) {
            await tx.query('ROLLBACK TO SAVEPOINT vote');
            outcomes.set(pending, { error });
          }
        }
      });
    } catch (error) {
      // Nothing was committed: every vote of the batch fails (or is tried again) alike.
      for (const pending of batch) this.#failed(pending, error);
      return;
    }
    for (const pending of batch) {
      const outcome = outcomes.get(pending);
      if (outcome && 'doc' in outcome) pending.resolve(outcome.doc);
      else this.#failed(pending, outcome?.error);
    }
  }

  #failed(pending: Pending, error: unknown): void {
    if (pending.attempts < ATTEMPTS && RETRYABLE.has(sqlState(error) ?? '')) {
      this.#queue.push(pending);
      this.#pump();
    } else {
      pending.reject(storeError(error));
    }
  }
}
