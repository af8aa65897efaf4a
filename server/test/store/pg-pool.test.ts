import { expect, test } from '@jest/globals';
import pg from 'pg';
import { conflictLeft } from '../../src/store/sql/database-errors.js';
import { IDLE_IN_TRANSACTION_MS, POOL_KEPT_CONNECTIONS } from '../../src/store/sql/pg-driver.js';
import type { Store } from '../../src/store/store.js';
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

test('votes wait at most 5 s for a post another session holds locked, then answer unavailable; every vote settles', async () => {
  const { store, url } = (await stores.open()) as unknown as { store: Store; url: string };
  const voters = Array.from({ length: 6 }, (_, i) => `voter${i}`);
  for (const login of ['locker', ...voters]) await store.createUser({ login, displayName: login, scopes: [], passwordHash: 'h' });
  const locked = (await store.createPost({ title: 'locked', url: null, text: null, author: 'locker' })).value;
  const free = (await store.createPost({ title: 'free', url: null, text: null, author: 'locker' })).value;
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM posts WHERE id = $1 FOR UPDATE', [locked.id]);
    const settle = (vote: Promise<unknown>) =>
      vote.then(
        () => 'voted',
        (error: { kind?: string }) => error.kind ?? 'failed',
      );
    // More batches on the locked post than the batcher has slots (one vote per turn, so one batch each), then one on another post.
    const stuck: Promise<string>[] = [];
    for (const login of voters.slice(0, 5)) {
      stuck.push(settle(store.setVote(locked.id, login, 1)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const other = settle(store.setVote(free.id, voters[5]!, 1));
    expect(await Promise.all(stuck)).toEqual(Array(5).fill('unavailable'));
    expect(['voted', 'unavailable']).toContain(await other);
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    await holder.end();
  }
  expect(await store.setVote(locked.id, voters[0]!, 1)).toMatchObject({ upvotes: 1 });
}, 60_000);
