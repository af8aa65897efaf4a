import { expect, test } from '@jest/globals';
import { findRethinkdb } from '../../bench/support/rethinkdb.mjs';
import { runCampaign } from '../campaign.mjs';
import { reportTable } from '../report.mjs';

test('one round of every fault: no acknowledged write lost, counters recount, clients converge, nothing seen twice', async () => {
  const results = await runCampaign({ rounds: 1, clients: 2, warmupMs: 2_000, holdMs: 3_000, afterMs: 1_500, seed: 7 });
  process.stdout.write(`${reportTable(results)}\n`);
  expect(results.map((r) => r.fault)).toEqual([
    'kill -9 PostgreSQL, restart',
    'SIGSTOP node b 15 s, SIGCONT',
    'kill -9 Redis, restart',
    'cut node a ↔ database, restore',
    'kill -9 node a, restart',
  ]);
  for (const result of results) {
    expect({ fault: result.fault, failures: result.failures }).toEqual({ fault: result.fault, failures: [] });
    // The round wrote: a check over nothing proves nothing.
    expect(result.acknowledged).toBeGreaterThan(0);
    expect(result.convergeMs).toBeLessThanOrEqual(10_000);
  }
}, 240_000);

// Without a rethinkdb binary this cannot run; the one line saying so is printed by the jest global setup.
const rethinkdbBin = findRethinkdb();
(rethinkdbBin ? test : test.skip)(
  'on RethinkDB: no acknowledged write lost, counters repaired, clients converge, nothing seen twice',
  async () => {
    const results = await runCampaign({
      store: 'rethinkdb',
      rethinkdbBin,
      rounds: 1,
      clients: 2,
      warmupMs: 2_000,
      holdMs: 3_000,
      afterMs: 1_500,
      seed: 7,
    });
    process.stdout.write(`${reportTable(results)}\n`);
    expect(results.map((r) => r.fault)[0]).toBe('kill -9 RethinkDB, restart');
    for (const result of results) {
      expect({ fault: result.fault, failures: result.failures }).toEqual({ fault: result.fault, failures: [] });
      expect(result.acknowledged).toBeGreaterThan(0);
    }
  },
  300_000,
);
