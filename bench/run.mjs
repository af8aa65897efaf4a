#!/usr/bin/env node
// `npm run bench`: every benchmark against its bare baseline in the same run,
// interleaved (baseline, news-forum; 3 pairs), servers on core 0 and the load
// on core 1 when taskset exists. Prints one table of medians and ratios and
// writes BENCHMARKS.md.
//
//   npm run bench                              everything, writes BENCHMARKS.md
//   npm run bench -- --only reads,size         some (names below)
//   npm run bench -- --quick                   1 pair, shorter runs
//   npm run bench -- --out FILE                where to write the Markdown
//
// With --only or --quick, the Markdown is written only when --out is given.

import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import coldStart from './benchmarks/cold-start.mjs';
import fanout from './benchmarks/fanout.mjs';
import memory from './benchmarks/memory.mjs';
import reads from './benchmarks/reads.mjs';
import resubscribe from './benchmarks/resubscribe.mjs';
import rethinkdb from './benchmarks/rethinkdb.mjs';
import size from './benchmarks/size.mjs';
import votes from './benchmarks/votes.mjs';
import writes from './benchmarks/writes.mjs';
import { markdown } from './support/markdown.mjs';
import { pinLoad } from './support/processes.mjs';
import { row, table } from './support/report.mjs';

const BENCHMARKS = [reads, coldStart, memory, fanout, resubscribe, writes, votes, rethinkdb, size];

const { values } = parseArgs({
  options: { only: { type: 'string' }, quick: { type: 'boolean', default: false }, out: { type: 'string' } },
});
const names = values.only?.split(',').map((s) => s.trim()) ?? BENCHMARKS.map((b) => b.name);
const unknown = names.filter((name) => !BENCHMARKS.some((b) => b.name === name));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}
const selected = BENCHMARKS.filter((b) => names.includes(b.name));
const complete = !values.only && !values.quick;
const out = values.out ?? (complete ? 'BENCHMARKS.md' : undefined);
const options = { pairs: values.quick ? 1 : 3, quick: values.quick };

// A `tsc -b` after the build makes the server load its hundreds of modules instead of its bundle: other figures.
const modified = (file) => statSync(new URL(`../server/${file}`, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (modified('dist/bundle/index.js') < modified('tsconfig.tsbuildinfo')) {
  process.stderr.write('bench: the server bundle is older than its last tsc build; run `npm run build` first\n');
  process.exit(2);
}

pinLoad();
// Exit through 'exit', where every server the bench started is killed.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
const started = new Date();
const load = { start: loadavg()[0] };
const rows = [];
for (const benchmark of selected) {
  const t0 = performance.now();
  process.stderr.write(`bench: ${benchmark.name}…\n`);
  try {
    rows.push(...(await benchmark.run(options)));
  } catch (error) {
    // The others still run; the table says which failed and the exit code is 1.
    process.stderr.write(
      `bench: ${benchmark.name} failed: ${error.stack}${error.cause ? `\ncaused by: ${error.cause.stack ?? error.cause}` : ''}\n`,
    );
    rows.push(row(benchmark.name, `failed: ${error.message.split('\n')[0]}`, '', {}));
    process.exitCode = 1;
  }
  process.stderr.write(`bench: ${benchmark.name} done in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
const seconds = (Date.now() - started.getTime()) / 1000;
load.end = loadavg()[0];
process.stdout.write(`\n${table(rows)}\n\n`);
if (out) {
  const flags = [...(values.quick ? ['--quick'] : []), ...(values.only ? ['--only', values.only] : [])];
  const command = ['npm run bench', ...(flags.length > 0 ? ['--', ...flags] : [])].join(' ');
  await writeFile(out, markdown({ rows, benchmarks: selected, started, seconds, load, command, pairs: options.pairs }));
  process.stderr.write(`bench: wrote ${out}\n`);
}
// Socket.io clients and keep-alive agents would hold the process open.
process.exit();
