#!/usr/bin/env node
// `npm run chaos`: the fault campaign on loopback (see RELIABILITY.md).
//
//   npm run chaos                      3 rounds of every fault, 6 clients
//   npm run chaos -- --rounds 1 --clients 3
//   npm run chaos -- --only node      only the faults whose name contains "node"
//   npm run chaos -- --store rethinkdb on RethinkDB (RETHINKDB_BIN, or rethinkdb on PATH)
//
// Prints each round as it ends and a Markdown table at the end; exits 1 when
// any check failed.

import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { findRethinkdb } from '../bench/support/rethinkdb.mjs';
import { runCampaign } from './campaign.mjs';
import { reportTable } from './report.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    clients: { type: 'string', default: '6' },
    seed: { type: 'string', default: String(Date.now() % 100000) },
    only: { type: 'string' },
    store: { type: 'string', default: 'postgres' },
  },
});
if (!['postgres', 'rethinkdb'].includes(values.store)) {
  process.stderr.write('chaos: --store is postgres or rethinkdb\n');
  process.exit(2);
}
const rethinkdbBin = values.store === 'rethinkdb' ? findRethinkdb() : undefined;
if (values.store === 'rethinkdb' && !rethinkdbBin) {
  process.stderr.write('chaos: no rethinkdb program: set RETHINKDB_BIN or put rethinkdb on PATH (see README, "RethinkDB")\n');
  process.exit(2);
}
// Interrupted: exit, so that the exit handlers kill every process the campaign started.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
const started = Date.now();
const results = await runCampaign({
  rounds: Number(values.rounds),
  clients: Number(values.clients),
  seed: Number(values.seed),
  only: values.only,
  store: values.store,
  rethinkdbBin,
  log: (line) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
});
const failed = results.filter((r) => r.failures.length > 0);
process.stdout.write(`\n${reportTable(results)}\n\n`);
process.stdout.write(
  `${values.store}, seed ${values.seed}, ${Math.round((Date.now() - started) / 1000)} s, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ` + `${failed.length === 0 ? 'every check passed' : `${failed.length} rounds FAILED`}\n`,
);
for (const r of failed) process.stdout.write(`round ${r.round} · ${r.fault}:\n  ${r.failures.join('\n  ')}\n`);
process.exit(failed.length === 0 ? 0 : 1);
