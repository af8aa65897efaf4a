// The reads baseline: bare Express 5 answering every GET with one fixed JSON
// page (BODY_FILE), read once at start.

import { readFileSync } from 'node:fs';
import express from 'express';

const body = process.env.BODY_FILE ? readFileSync(process.env.BODY_FILE) : Buffer.from('{}');
const app = express();
app.get('/{*any}', (_req, res) => {
  res.type('application/json').send(body);
});
app.listen(Number(process.env.PORT), '127.0.0.1');
