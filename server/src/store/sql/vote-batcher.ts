import type { StoredPost, Vote } from '../store.js';
import { accountGone } from '../store-error.js';
import { type BatchOptions, BatchQueue } from './batch-queue.js';
import type { ChangeNotice, NoticeRow } from './change-notice.js';
import { conflictLeft, RETRY_ATTEMPTS, RETRYABLE_STATES, sqlState } from './database-errors.js';
import type { SqlExecutor } from './driver.js';
import { SET_WISE_VOTES } from './migrations.js';

// One statement, so one commit, for the whole batch: cast_votes (migration 9)
// casts the votes in array order, each seeing the writes of the ones before
// it, and logs one change per run of votes on a post.
const CAST_VOTES = 'SELECT n, doc, account_gone FROM cast_votes($1::uuid[], $2::text[], $3::smallint[], $4::integer)';
/** Votes one statement carries at most. */
const MAX_BATCH = 200;

interface Pending {
  postId: string;
  login: string;
  vote: Vote;
  attempts: number;
  resolve(post: StoredPost | null): void;
  reject(error: unknown): void;
}

/** Where a batch's changes go: `casting` before its statement, `cast` after (its changes, or none). */
export interface CastChanges {
  casting(): void;
  cast(notice: ChangeNotice | undefined): void;
}

interface Answer {
  n: number;
  doc: StoredPost | null;
  account_gone: boolean;
}

/**
 * The changes a batch logged, from its answer (migration 14): row 0 names
 * each change's seq and post, the post's counters before the change and its
 * version after; the new document is the post's answer at that version, the
 * old one that document with the counters before. Undefined when row 0 is
 * missing or does not match the answers.
 */
function castNotice(rows: readonly Answer[]): ChangeNotice | undefined {
  const logged = rows.find((row) => row.n === 0)?.doc as unknown as { e?: unknown; c?: unknown; r?: unknown } | undefined;
  if (typeof logged?.e !== 'string' || typeof logged.c !== 'string' || !Array.isArray(logged.r) || logged.r.length === 0) {
    return undefined;
  }
  const answered = new Map<string, StoredPost>();
  for (const row of rows) if (row.n > 0 && row.doc) answered.set(`${row.doc.id} ${row.doc.version}`, row.doc);
  const list: NoticeRow[] = [];
  for (const change of logged.r as unknown[]) {
    const [seq, id, upvotes, downvotes, version, after] = Array.isArray(change) ? change : [];
    const post = answered.get(`${id} ${after}`);
    if (
      !post ||
      !Number.isSafeInteger(seq) ||
      typeof upvotes !== 'number' ||
      typeof downvotes !== 'number' ||
      typeof version !== 'number'
    ) {
      return undefined;
    }
    list.push({ seq, old_val: { ...post, upvotes, downvotes, score: upvotes - downvotes, version }, new_val: post });
  }
  const last = list.at(-1);
  return last && { seq: last.seq, rows: { epoch: logged.e, tbl: 'posts', stamp: logged.c, list } };
}

/**
 * Group commit of votes. The votes of one event-loop turn go together, at its
 * end (`defer`), when one of the `slots` is free; votes that arrive while
 * every slot is busy wait, and then go together. A batch is one statement
 * (cast_votes of migration 9), so one commit carries it: the change log gets
 * one row per post of the batch, and its lock and NOTIFY are taken once.
 * Each caller is answered after that commit, as with a transaction of its
 * own. Batches of SET_WISE_VOTES or more are cast set-wise (migration 13):
 * on either store that takes a batch of 50 about half the database's time,
 * and store writes from about 1,100 to 1,900 votes/s on PGlite and from
 * 2,500 to 4,400 on PostgreSQL (docs/WRITE-THROUGHPUT.md). Statements run
 * autocommit, so `db` is the store's driver.
 */
export class VoteBatcher {
  readonly #db: () => SqlExecutor;
  readonly #queue: BatchQueue<Pending>;
  readonly #changes: CastChanges;

  /** `changes` hears of each batch's statement, and takes the changes it logged once its votes are answered. */
  constructor(db: () => SqlExecutor, options: Omit<BatchOptions, 'max'>, changes: CastChanges) {
    this.#db = db;
    this.#changes = changes;
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
    let rows: Answer[];
    this.#changes.casting();
    try {
      rows = await this.#db().query(
        CAST_VOTES,
        [
          ordered.map((pending) => pending.postId),
          ordered.map((pending) => pending.login),
          ordered.map((pending) => pending.vote),
          SET_WISE_VOTES,
        ],
        'news_forum_cast_votes',
      );
    } catch (error) {
      this.#changes.cast(undefined);
      // Nothing was committed: the votes are tried again or fail alike.
      const retry = RETRYABLE_STATES.has(sqlState(error) ?? '');
      for (const pending of ordered) {
        if (retry && pending.attempts < RETRY_ATTEMPTS) this.#queue.push(pending);
        else pending.reject(conflictLeft(error));
      }
      return;
    }
    for (const row of rows) {
      const pending = ordered[row.n - 1];
      if (!pending) continue;
      if (row.account_gone) pending.reject(accountGone());
      else pending.resolve(row.doc);
    }
    this.#changes.cast(castNotice(rows));
  }
}
