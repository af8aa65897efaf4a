import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import type { SqlDriver } from '../../src/store/sql/driver.js';
import {
  checkpointIfDue,
  DEFAULT_RETENTION,
  EMBEDDED_CHECKPOINT_WAL_BYTES,
  housekeep,
  pruneLogs,
} from '../../src/store/sql/housekeeping.js';
import { openPgDriver } from '../../src/store/sql/pg-driver.js';
import { openPgliteDriver } from '../../src/store/sql/pglite-driver.js';
import type { Store } from '../../src/store/store.js';
import { createUsers, SQL_STORE_KINDS, storeFixture } from '../support/store-adapters.js';

describe.each(SQL_STORE_KINDS)('%s store: housekeeping', (kind) => {
  const stores = storeFixture(kind);

  /** Runs `fn` on a driver of the store's database (PGlite allows one session, so the store is closed first). */
  async function onDatabase<T>(opened: { store: Store; url?: string; dataDir?: string }, fn: (db: SqlDriver) => Promise<T>): Promise<T> {
    if (kind === 'embedded') await opened.store.close();
    const db = kind === 'embedded' ? await openPgliteDriver(path.join(opened.dataDir!, 'pglite')) : openPgDriver(opened.url!);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }

  test('pruning keeps recent changes and keys, and drops the rest, recording how far', async () => {
    const opened = await stores.open();
    const { store } = opened;
    await createUsers(store, 'ana');
    for (let i = 0; i < 5; i++)
      await store.createPost({ title: `p${i}`, url: null, text: null, author: 'ana' }, { owner: 'ana', key: `k${i}`, requestHash: 'h' });

    await onDatabase(opened, async (db) => {
      const count = async () =>
        (
          await db.query<{ changes: number; keys: number; pruned: string }>(
            `SELECT (SELECT count(*) FROM changes)::integer AS changes, (SELECT count(*) FROM idempotency_keys)::integer AS keys,
                (SELECT pruned_through::text FROM change_log_state) AS pruned`,
          )
        )[0]!;
      await pruneLogs(db);
      expect(await count()).toEqual({ changes: 5, keys: 5, pruned: '0' });
      await pruneLogs(db, { ...DEFAULT_RETENTION, changesRows: 2 });
      const [{ max }] = (await db.query<{ max: string }>('SELECT max(seq)::text AS max FROM changes')) as [{ max: string }];
      expect(await count()).toEqual({ changes: 2, keys: 5, pruned: String(Number(max) - 2) });
      await pruneLogs(db, { ...DEFAULT_RETENTION, changesMs: 0, changesRows: 100, idempotencyKeysMs: 0 });
      expect(await count()).toEqual({ changes: 0, keys: 0, pruned: max });
    });
  });

  // PostgreSQL's autovacuum does this on a server; PGlite has none, so the embedded store's housekeeping vacuums.
  if (kind === 'embedded') {
    test('a change log pruned to its retention keeps its size: the space of pruned rows is used again', async () => {
      const opened = await stores.open();
      await onDatabase(opened, async (db) => {
        const retention = { ...DEFAULT_RETENTION, changesRows: 500 };
        const sizes: number[] = [];
        for (let round = 0; round < 8; round++) {
          await db.exec(
            `INSERT INTO changes (tbl, old_val, new_val)
               SELECT 'posts', NULL, jsonb_build_object('title', repeat('x', 500), 'n', n) FROM generate_series(1, 3000) n`,
          );
          await housekeep(db, retention, { vacuum: true });
          const [row] = await db.query<{ bytes: string; rows: number }>(
            `SELECT pg_total_relation_size('changes')::text AS bytes, (SELECT count(*) FROM changes)::integer AS rows`,
          );
          expect(row!.rows).toBe(500);
          sizes.push(Number(row!.bytes));
        }
        // Without the vacuum each round adds its 3,000 rows' pages for good: the last size is about 4 times the second.
        expect(sizes[7]!).toBeLessThan(1.5 * sizes[1]!);
      });
    });

    // PGlite runs each statement on the node's thread, and an awaited statement resumes in the same turn: in one go,
    // housekeeping held a loaded node for 30–60 ms every 10 s, and the votes and sends behind it were the slowest.
    test('housekeeping gives the event loop a turn before each of its statements', async () => {
      const opened = await stores.open();
      await onDatabase(opened, async (db) => {
        let turns = 0;
        let done = false;
        const tick = () => {
          if (done) return;
          turns++;
          setImmediate(tick);
        };
        setImmediate(tick);
        await housekeep(db, DEFAULT_RETENTION, { vacuum: true, checkpointWalBytes: EMBEDDED_CHECKPOINT_WAL_BYTES });
        done = true;
        // Four pruning statements, a vacuum of each of the eleven churned tables, and the checkpoint's check.
        expect(turns).toBeGreaterThanOrEqual(16);
      });
    });

    // Single-user mode has no checkpointer either: without these checkpoints everything written since the node
    // started stayed in the write-ahead log, all of it to replay after a kill.
    test('the write-ahead log is checkpointed once it passes the distance, so a restart after a kill replays at most that much', async () => {
      const opened = await stores.open();
      await onDatabase(opened, async (db) => {
        const distance = 1024 * 1024;
        const options = { vacuum: true, checkpointWalBytes: distance };
        const wal = async () =>
          (
            await db.query<{ redo: string; since: string }>(
              'SELECT redo_lsn::text AS redo, pg_wal_lsn_diff(pg_current_wal_lsn(), redo_lsn)::text AS since FROM pg_control_checkpoint()',
            )
          )[0]!;
        const writeLog = (rows: number) =>
          db.exec(
            `INSERT INTO changes (tbl, old_val, new_val)
               SELECT 'posts', NULL, jsonb_build_object('title', repeat('x', 500), 'n', n) FROM generate_series(1, ${rows}) n`,
          );
        await db.exec('CHECKPOINT');
        const start = await wal();

        // Well under the distance: no checkpoint.
        await writeLog(100);
        expect(await checkpointIfDue(db, distance)).toBe(false);
        expect((await wal()).redo).toBe(start.redo);

        // About 4 MB of log: housekeeping checkpoints, and what a restart would replay starts after it.
        await writeLog(6000);
        const before = await wal();
        expect(Number(before.since)).toBeGreaterThan(distance);
        await housekeep(db, DEFAULT_RETENTION, options);
        const after = await wal();
        expect(after.redo).not.toBe(start.redo);
        expect(Number(after.since)).toBeLessThan(distance);
        expect(await checkpointIfDue(db, distance)).toBe(false);
      });
    });
  }
});
