// `npm run bench` must not rot: a quick run of the size benchmark exits 0,
// prints the table and writes the Markdown. No figure is judged here.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';

const RUN = fileURLToPath(new URL('../run.mjs', import.meta.url));

/** Runs the bench; resolves to its exit code and output, whatever the code. */
function bench(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [RUN, ...args], { timeout: 150_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run bench -- --quick --only size', () => {
  let dir;
  let result;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'news-forum-bench-test-'));
    result = await bench(['--quick', '--only', 'size', '--out', path.join(dir, 'BENCHMARKS.md')]);
  }, 160_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('exits 0 and prints a table with a baseline, a figure and a ratio for each size', () => {
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
    const rows = result.stdout.split('\n').filter((line) => line.startsWith('| size |'));
    expect(rows).toHaveLength(2);
    for (const line of rows) expect(line).toMatch(/\| [\d.]+ KiB \| [\d.]+ KiB \| [\d.]+× \| ≤ \d+ KiB \| (yes|\*\*no\*\*) \|$/);
  });

  test('writes the Markdown: the same table, the machine, the date and the command', async () => {
    const markdown = await readFile(path.join(dir, 'BENCHMARKS.md'), 'utf8');
    const rows = result.stdout.split('\n').filter((line) => line.startsWith('| size |'));
    for (const line of rows) expect(markdown).toContain(line);
    expect(markdown).toMatch(/- Machine: \d+ cores \(`nproc --all`\), .+, [\d.]+ GiB RAM, Node v\d+/);
    expect(markdown).toMatch(/- Date: \d{4}-\d\d-\d\dT/);
    expect(markdown).toMatch(/- Load average \(1 min, all processes of the machine\): [\d.]+ at the start, [\d.]+ at the end/);
    expect(markdown).toContain('npm run bench -- --quick --only size');
    expect(markdown).toMatch(/- \*\*size\*\*: min\+gzip/);
  });
});

test('an unknown benchmark is refused with the known names and exit code 2', async () => {
  const result = await bench(['--only', 'nonsense']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(
    'unknown benchmark nonsense; known: reads, cold-start, memory, fanout, resubscribe, writes, votes, rethinkdb, size',
  );
});
