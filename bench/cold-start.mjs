// Cold start of a node: time from spawning `news-forum-server` to its first
// 200 on /readyz, with an existing data directory (embedded), an empty one,
// and PostgreSQL when DATABASE_URL is set; next to a bare Express app that
// answers /readyz, in the same run. Also the time to import the server alone
// and the resident memory of an idle node.
//
//   npm run build && [DATABASE_URL=postgres://…] node bench/cold-start.mjs [runs=10] [cli=server/dist/cli.js]

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.argv[2] ?? 10);
const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.resolve(root, process.argv[3] ?? 'server/dist/cli.js');
const INDEX = path.join(path.dirname(CLI), 'index.js');
const IDLE_MS = 3000;

const BARE = `
import express from 'express';
const app = express();
app.get('/readyz', (_req, res) => res.json({ status: 'ok' }));
app.listen(Number(process.env.PORT), '127.0.0.1');
`;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function ready(url) {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}

async function rssMb(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** Spawns `args`, waits for /readyz, optionally measures idle RSS, stops it. */
async function startOnce(args, env, { measureRss = false } = {}) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'error', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${stderr}`);
      if (await ready(`http://127.0.0.1:${port}/readyz`)) break;
      if (performance.now() - started > 60_000) throw new Error(`not ready within 60 s: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const ms = performance.now() - started;
    let rss;
    if (measureRss) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      rss = await rssMb(child.pid);
    }
    return { ms, rss };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function series(name, run) {
  const times = [];
  const rss = [];
  for (let i = 0; i < RUNS; i += 1) {
    const sample = await run(i);
    times.push(sample.ms);
    if (sample.rss !== undefined) rss.push(sample.rss);
  }
  const line = `${name.padEnd(28)} median ${median(times).toFixed(0).padStart(5)} ms  (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`;
  console.log(rss.length ? `${line}  idle RSS median ${median(rss).toFixed(0)} MB` : line);
  return median(times);
}

async function importTime() {
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(INDEX)});`], {
    cwd: root,
    stdio: 'inherit',
  });
  await new Promise((resolve) => child.once('exit', resolve));
  return { ms: performance.now() - started };
}

const scratch = await mkdtemp(path.join(tmpdir(), 'news-forum-cold-start-'));
try {
  const existing = path.join(scratch, 'existing');
  // The first start creates the database; the series reopens it.
  await startOnce([CLI], { DATA_DIR: existing });
  if (process.env.DATABASE_URL) await startOnce([CLI], { STORE: 'postgres', DATA_DIR: existing });
  console.log(`${RUNS} runs each, ${CLI}`);
  const bare = await series('bare express', () => startOnce(['--input-type=module', '-e', BARE], {}));
  await series('import the server', importTime);
  const embedded = await series('embedded, existing data', () => startOnce([CLI], { DATA_DIR: existing }, { measureRss: true }));
  await series('embedded, empty data', (i) => startOnce([CLI], { DATA_DIR: path.join(scratch, `empty-${i}`) }));
  console.log(`embedded / bare: ${(embedded / bare).toFixed(2)}`);
  if (process.env.DATABASE_URL) {
    const postgres = await series('postgres, existing schema', () =>
      startOnce([CLI], { STORE: 'postgres', DATA_DIR: existing }, { measureRss: true }),
    );
    console.log(`postgres / bare: ${(postgres / bare).toFixed(2)}`);
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
