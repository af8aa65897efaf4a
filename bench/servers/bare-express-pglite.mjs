// The embedded cold-start floor: bare Express 5 that opens PGlite on an
// existing data directory (DATA_DIR) as the forum's embedded store does (same
// start parameters, same compiler and validation flags for its WebAssembly), runs one
// query, and only then answers `/readyz`. What a node adds on top of this is
// the forum's own start; this much comes with PGlite.

import v8 from 'node:v8';
import express from 'express';

v8.setFlagsFromString('--liftoff-only');
v8.setFlagsFromString('--wasm-lazy-validation');
const { PGlite } = await import('@electric-sql/pglite');
const db = await PGlite.create(process.env.DATA_DIR, {
  startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=4MB', '-c', 'wal_buffers=256kB', '-c', 'temp_buffers=1MB'],
});
await db.query('SELECT count(*) FROM posts');
const app = express();
app.get('/readyz', (_req, res) => {
  res.json({ status: 'ok' });
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1');
// A clean shutdown, so the next start does not replay the write-ahead log.
process.once('SIGTERM', () => {
  server.close();
  void db.close().then(() => process.exit(0));
});
