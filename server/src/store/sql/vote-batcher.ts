import type { StoredPost, Vote } from '../store.js';
import { accountGone } from '../store-error.js';
import { BatchQueue } from './batch-queue.js';
import { sqlState } from './database-errors.js';
import type { SqlExecutor } from './driver.js';

// One statement, so one commit, for the whole batch. The lateral calls run in
// the order of the arrays, each seeing the writes of the calls before it.
const CAST_VOTES = `SELECT t.n::integer AS n, v.doc, v.account_gone
  FROM unnest($1::uuid[], $2::text[], $3::smallint[]) WITH ORDINALITY AS t(post, login, value, n)
  CROSS JOIN LATERAL cast_vote(t.post, t.login, t.value) AS v
 ORDER BY t.n`;
/** Votes one statement carries at most. */
const MAX_BATCH = 200;
// Lock conflicts PostgreSQL resolves by aborting one side; the votes are tried again.
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

/**
 * Group commit of votes. A vote that finds one of the `slots` free is cast
 * at once; votes that arrive while every slot is busy wait, and then go
 * together as one statement (cast_vote of migration 5 over arrays), so one
 * commit carries them all: the change log's lock and NOTIFY are taken once
 * for the batch, and PGlite, which runs one statement at a time, commits
 * once (there `defer` gathers the votes of one event-loop turn, see
 * BatchQueue). Each caller is answered after that commit, as with a
 * transaction of its own. Statements run autocommit, so `db` is the store's
 * driver.
 */
export class VoteBatcher {
  readonly #db: () => SqlExecutor;
  readonly #queue: BatchQueue<Pending>;

  constructor(db: () => SqlExecutor, options: { slots: number; defer: boolean }) {
    this.#db = db;
    this.#queue = new BatchQueue((batch) => this.#commit(batch), { ...options, max: MAX_BATCH });
  }

  cast(postId: string, login: string, vote: Vote): Promise<StoredPost | null> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ postId, login, vote, attempts: 0, resolve, reject });
    });
  }

  async #commit(batch: Pending[]): Promise<void> {
    // Posts are locked in id order, like every other writer of several posts;
    // the sort is stable, so one voter's votes on one post keep their order.
    const ordered = batch.sort((a, b) => (a.postId < b.postId ? -1 : a.postId > b.postId ? 1 : 0));
    for (const pending of ordered) pending.attempts++;
    let rows: { n: number; doc: StoredPost | null; account_gone: boolean }[];
    try {
      rows = await this.#db().query(CAST_VOTES, [
        ordered.map((pending) => pending.postId),
        ordered.map((pending) => pending.login),
        ordered.map((pending) => pending.vote),
      ]);
    } catch (error) {
      // Nothing was committed: the votes are tried again or fail alike.
      const retry = RETRYABLE.has(sqlState(error) ?? '');
      for (const pending of ordered) {
        if (retry && pending.attempts < ATTEMPTS) this.#queue.push(pending);
        else pending.reject(error);
      }
      return;
    }
    for (const row of rows) {
      const pending = ordered[row.n - 1];
      if (!pending) continue;
      if (row.account_gone) pending.reject(accountGone());
      else pending.resolve(row.doc);
    }
  }
}
