// The HTTP votes baseline: bare Express 5 with a JSON body parser answering
// `POST /api/posts/:id/upvotes|downvotes` by the same single-row update as
// bare-updates.mjs, through bare `pg` (DATABASE_URL set; the default pool of
// 10, as the forum's) or PGlite (a fresh data directory in DATA_DIR), and the
// updated row as JSON. Posts are numbered 1 to 100.

import express from 'express';

const POSTS = 100;

async function open() {
  if (process.env.DATABASE_URL) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
    return (text, params) => pool.query(text, params);
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(process.env.DATA_DIR);
  return (text, params) => db.query(text, params);
}

const query = await open();
await query('DROP TABLE IF EXISTS bench_posts');
await query(
  'CREATE TABLE bench_posts (id int PRIMARY KEY, upvotes int NOT NULL DEFAULT 0, downvotes int NOT NULL DEFAULT 0, version int NOT NULL DEFAULT 1)',
);
await query(`INSERT INTO bench_posts (id) SELECT generate_series(1, ${POSTS})`);

const app = express();
app.use(express.json());
for (const column of ['upvotes', 'downvotes']) {
  app.post(`/api/posts/:id/${column}`, async (req, res) => {
    const { rows } = await query(
      `UPDATE bench_posts SET ${column} = ${column} + 1, version = version + 1 WHERE id = $1 RETURNING id, upvotes, downvotes, version`,
      [Number(req.params.id)],
    );
    if (rows.length === 0) res.status(404).end();
    else res.json(rows[0]);
  });
}
app.get('/readyz', (_req, res) => {
  res.json({ ready: true });
});
app.listen(Number(process.env.PORT), '127.0.0.1');
