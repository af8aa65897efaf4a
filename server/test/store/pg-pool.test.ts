import { expect, test } from '@jest/globals';
import { conflictLeft } from '../../src/store/sql/database-errors.js';
import { IDLE_IN_TRANSACTION_MS, POOL_KEPT_CONNECTIONS } from '../../src/store/sql/pg-driver.js';
import { storeFixture } from '../support/store-adapters.js';

const stores = storeFixture('postgres');
// pg's pool closes a connection idle for this long unless it is one of those it keeps.
const POOL_IDLE_TIMEOUT_MS = 10_000;

test('the pool keeps its first connections through a quiet spell and closes the rest', async () => {
  const db = await stores.blank();
  const connections = async () =>
    (
      await db.query<{ n: number }>(
        "SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'news-forum'",
      )
    )[0]!.n;
  await Promise.all(Array.from({ length: POOL_KEPT_CONNECTIONS + 2 }, () => db.query('SELECT pg_sleep(0.2)')));
  expect(await connections()).toBe(POOL_KEPT_CONNECTIONS + 2);
  await new Promise((resolve) => setTimeout(resolve, POOL_IDLE_TIMEOUT_MS + 1_500));
  expect(await connections()).toBe(POOL_KEPT_CONNECTIONS);
}, 30_000);

test('the sessions are ended by PostgreSQL when idle in a transaction for a minute (a stopped node holds no lock longer)', async () => {
  const db = await stores.blank();
  const [row] = await db.query<{ idle: string }>("SELECT current_setting('idle_in_transaction_session_timeout') AS idle");
  expect(row?.idle).toBe(`${IDLE_IN_TRANSACTION_MS / 60_000}min`);
});

test('a statement or lock wait that timed out, and a conflict left after its retries, are unavailable (503), not failures', async () => {
  const db = await stores.blank();
  await expect(
    db.transaction(async (tx) => {
      await tx.exec('SET LOCAL statement_timeout = 50');
      await tx.query('SELECT pg_sleep(1)');
    }),
  ).rejects.toMatchObject({ kind: 'unavailable', cause: expect.objectContaining({ code: '57014' }) });
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let locked = () => {};
  const holding = new Promise<void>((resolve) => (locked = resolve));
  const holder = db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(42)');
    locked();
    await held;
  });
  await holding;
  await expect(
    db.transaction(async (tx) => {
      await tx.exec('SET LOCAL lock_timeout = 50');
      await tx.query('SELECT pg_advisory_xact_lock(42)');
    }),
  ).rejects.toMatchObject({ kind: 'unavailable', cause: expect.objectContaining({ code: '55P03' }) });
  release();
  await holder;
  // As pg reports a serialization failure and a deadlock.
  for (const code of ['40001', '40P01'])
    expect(conflictLeft(Object.assign(new Error('conflict'), { code }))).toMatchObject({ kind: 'unavailable' });
  const other = Object.assign(new Error('syntax'), { code: '42601' });
  expect(conflictLeft(other)).toBe(other);
});
