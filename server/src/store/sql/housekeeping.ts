import { setImmediate as nextTurn } from 'node:timers/promises';
import { NOTIFICATIONS_MAX_AGE_MS } from '../notifications.js';
import type { SqlExecutor } from './driver.js';

/** How long the logs keep their rows. */
export interface Retention {
  /** Change-log rows younger than this are kept (a feed that was away this long can catch up). */
  changesMs: number;
  /** At most this many change-log rows are kept, however young. */
  changesRows: number;
  /** Idempotency keys younger than this are honoured. */
  idempotencyKeysMs: number;
  /** Notifications younger than this are kept (the last NOTIFICATIONS_KEPT per account). */
  notificationsMs: number;
}

export const DEFAULT_RETENTION: Retention = {
  changesMs: 10 * 60_000,
  changesRows: 100_000,
  idempotencyKeysMs: 24 * 60 * 60_000,
  notificationsMs: NOTIFICATIONS_MAX_AGE_MS,
};

// On PGlite every statement runs on the node's own thread, and an awaited one resumes in the same turn of the event
// loop: housekeeping in one go held the node for 30–60 ms here (pruning 10–18, vacuum 14–60), and the votes and sends
// that waited behind it, every 10 s, were the slowest of vote → screen at 20 votes/s. Each statement waits for a turn
// of its own (nextTurn), so that what came in meanwhile goes first.
//
// On PGlite the vacuum runs on the node's own thread: every 10 s, a node voting at 200 a second vacuums about 2,000
// votes' dead rows at a time (about 30 ms here, pruning included) rather than a minute's (160–290 ms).
const HOUSEKEEPING_INTERVAL_MS = 10_000;

/** The tables whose rows are deleted or updated in place as the forum runs. */
const CHURNED_TABLES = [
  'changes',
  'change_log_state',
  'posts',
  'votes',
  'comments',
  'users',
  'notifications',
  'idempotency_keys',
  'revoked_tokens',
  'post_flags',
  'comment_flags',
];

/**
 * Removes expired change-log rows (recording how far, so readers behind that
 * point know they lost changes), revoked tokens past their expiry, and
 * expired idempotency keys and old notifications.
 */
export async function pruneLogs(db: SqlExecutor, retention: Retention = DEFAULT_RETENTION): Promise<void> {
  const statements: [text: string, params: unknown[]][] = [
    [
      `WITH cut AS (
         SELECT greatest(
           (SELECT max(seq) FROM changes WHERE created_at < now() - make_interval(secs => $1::float8 / 1000)),
           (SELECT max(seq) FROM changes) - $2::bigint) AS seq
       ), gone AS (
         DELETE FROM changes WHERE seq <= (SELECT seq FROM cut) RETURNING seq
       )
       UPDATE change_log_state SET pruned_through = greatest(pruned_through, (SELECT max(seq) FROM gone))
        WHERE EXISTS (SELECT FROM gone)`,
      [retention.changesMs, retention.changesRows],
    ],
    ['DELETE FROM revoked_tokens WHERE expires_at < now()', []],
    ['DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1::float8 / 1000)', [retention.idempotencyKeysMs]],
    ['DELETE FROM notifications WHERE created_at < now() - make_interval(secs => $1::float8 / 1000)', [retention.notificationsMs]],
  ];
  for (const [text, params] of statements) {
    await nextTurn();
    await db.query(text, params);
  }
}

/**
 * What housekeeping does besides pruning: what a PostgreSQL server's own background processes do, which PGlite
 * (PostgreSQL in single-user mode) does not have.
 */
export interface HousekeepingOptions {
  /** Vacuum the tables that churn (a server's autovacuum). */
  vacuum: boolean;
  /** Checkpoint once this much write-ahead log was written since the last checkpoint began (a server's checkpointer). */
  checkpointWalBytes?: number;
}

/**
 * The embedded store's checkpoint distance: one WAL segment. Past it, a node killed now would replay at most this
 * much, plus what 10 s of writes add, when it starts again.
 */
export const EMBEDDED_CHECKPOINT_WAL_BYTES = 16 * 1024 * 1024;

/**
 * Checkpoints when more than `walBytes` of write-ahead log were written since the last checkpoint's redo point;
 * true when it did. In single-user mode PostgreSQL never checkpoints by itself (neither checkpoint_timeout nor
 * max_wal_size starts one: both are the checkpointer's), only when it shuts down cleanly. The log of everything a
 * node wrote since it started stayed in pg_wal (3.3 KB a vote), and after a kill all of it was replayed before the
 * node could start: after 15,000 votes, 1.8 s to /readyz instead of 1.0 after a clean stop; with these checkpoints,
 * 1.2 s after 21,000. A checkpoint of the 4 MB of shared buffers takes 10–20 ms of the node's thread.
 */
export async function checkpointIfDue(db: SqlExecutor, walBytes: number): Promise<boolean> {
  const [row] = await db.query<{ bytes: string }>(
    'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), redo_lsn)::text AS bytes FROM pg_control_checkpoint()',
  );
  if (!row || Number(row.bytes) <= walBytes) return false;
  await nextTurn();
  await db.exec('CHECKPOINT');
  return true;
}

/**
 * Prunes the logs, then, with `vacuum`, vacuums the tables that churn, and with `checkpointWalBytes` checkpoints when
 * that much log was written since the last checkpoint (checkpointIfDue). A PostgreSQL server's autovacuum vacuums by
 * itself; PGlite runs PostgreSQL in single-user mode, which has none, and there the space of deleted and replaced
 * rows was never reused: the change log, pruned to its retention, still grew by about 630 bytes per change for good,
 * and the posts' indexes by an entry per vote.
 */
export async function housekeep(db: SqlExecutor, retention: Retention, options: HousekeepingOptions): Promise<void> {
  await pruneLogs(db, retention);
  if (options.vacuum) {
    for (const table of CHURNED_TABLES) {
      await nextTurn();
      await db.exec(`VACUUM ${table}`);
    }
  }
  if (options.checkpointWalBytes !== undefined) {
    await nextTurn();
    await checkpointIfDue(db, options.checkpointWalBytes);
  }
}

/** Housekeeps (see housekeep) every 10 s on a timer that does not keep the process alive; returns a stop function. */
export function scheduleHousekeeping(db: SqlExecutor, retention: Retention, options: HousekeepingOptions): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    // A failed run (database away) is retried at the next tick.
    running ??= housekeep(db, retention, options)
      .catch(() => undefined)
      .finally(() => (running = undefined));
  }, HOUSEKEEPING_INTERVAL_MS).unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
