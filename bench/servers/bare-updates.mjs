// The writes baseline: bare `pg` (DATABASE_URL set; a pool of 10, the
// default pg.Pool the forum uses too) or PGlite (a fresh data directory in
// DATA_DIR), executing the same single-row update of a 100-row posts table as
// fast as CONCURRENCY callers can, for DURATION_MS. Prints `{"perSecond":n}`.

import { performance } from 'node:perf_hooks';

const POSTS = 100;
const duration = Number(process.env.DURATION_MS ?? 5_000);
const concurrency = Number(process.env.CONCURRENCY ?? 50);

async function open() {
  if (process.env.DATABASE_URL) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
    return { query: (text, params) => pool.query(text, params), close: () => pool.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(process.env.DATA_DIR);
  return { query: (text, params) => db.query(text, params), close: () => db.close() };
}

const db = await open();
await db.query('DROP TABLE IF EXISTS bench_posts');
await db.query('CREATE TABLE bench_posts (id int PRIMARY KEY, upvotes int NOT NULL DEFAULT 0, version int NOT NULL DEFAULT 1)');
await db.query(`INSERT INTO bench_posts (id) SELECT generate_series(1, ${POSTS})`);

let done = 0;
const end = performance.now() + duration;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async (_, caller) => {
    for (let i = caller; performance.now() < end; i += concurrency) {
      await db.query('UPDATE bench_posts SET upvotes = upvotes + 1, version = version + 1 WHERE id = $1', [(i % POSTS) + 1]);
      done += 1;
    }
  }),
);
const perSecond = done / ((performance.now() - started) / 1000);
await db.close();
process.stdout.write(`${JSON.stringify({ perSecond })}\n`);
