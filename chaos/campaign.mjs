// The fault campaign: PostgreSQL (or RethinkDB), Redis, a proxy and two
// nodes on loopback; a workload of SDK clients; one fault per round, then the checker.

import { check } from './checker.mjs';
import { faults as faultsFor } from './faults.mjs';
import { sleep, startNode, startPostgres, startRedis, until } from './processes.mjs';
import { startProxy } from './proxy.mjs';
import { startWorkload } from './workload.mjs';

const SECRET = 'chaos-secret-that-is-at-least-32-characters-long';
// Clients share one address: the campaign tests faults, not limits.
const LIMITS = {
  RATE_REQUESTS_PER_IP: '1000000/1m',
  RATE_WRITES_PER_USER: '100000/1m',
  RATE_LOGINS_PER_IP: '10000/1m',
  RATE_SIGNUPS_PER_IP: '10000/1m',
  RATE_SOCKET_EVENTS_PER_SOCKET: '100000/1m',
};

async function ready(node) {
  const response = await fetch(`${node.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
  return response.status === 200;
}

/**
 * Runs `rounds` rounds of every fault. Options: `clients` (SDK clients),
 * `warmupMs` (writes before the fault), `holdMs` (how long a fault lasts,
 * SIGSTOP always 15 s), `afterMs` (writes after healing), `limitMs` (the
 * convergence promise), `only` (the faults whose name holds it), `store`
 * (`postgres`, or `rethinkdb` with `rethinkdbBin`, the program), `log(line)`.
 * Resolves to one result per round.
 */
export async function runCampaign({
  rounds = 1,
  clients = 4,
  warmupMs = 4_000,
  holdMs = 5_000,
  afterMs = 4_000,
  limitMs = 10_000,
  seed = 1,
  only,
  store = 'postgres',
  rethinkdbBin,
  log = () => undefined,
} = {}) {
  // Independent of each other: started together (so are the two nodes below).
  const [database, redis] = await Promise.all([
    store === 'rethinkdb' ? import('./rethinkdb.mjs').then(({ startRethinkdb }) => startRethinkdb(rethinkdbBin)) : startPostgres(),
    startRedis(),
  ]);
  const faults = faultsFor(database.label).filter((fault) => only === undefined || fault.name.includes(only));
  const proxy = await startProxy({ host: '127.0.0.1', port: database.port });
  const common = { REDIS_URL: redis.url, JWT_SECRET: SECRET, ...LIMITS };
  const nodes = [];
  const results = [];
  let workload;
  try {
    // In the order a, b whatever finishes first; one that started is stopped below even if the other failed.
    const outcomes = await Promise.allSettled([
      startNode('a', { ...common, ...database.env(`127.0.0.1:${proxy.port}`) }),
      startNode('b', { ...common, ...database.env() }),
    ]);
    for (const outcome of outcomes) if (outcome.status === 'fulfilled') nodes.push(outcome.value);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const env = { database, redis, proxy, nodes };
    workload = await startWorkload({ nodes, clients, seed });
    log(`started ${database.label}, Redis, the proxy, nodes a and b, ${clients} clients`);
    for (let round = 1; round <= rounds; round++) {
      for (const fault of faults) {
        const before = { acknowledged: workload.ledger.acknowledged, uncertain: workload.ledger.uncertain };
        const writing = new AbortController();
        const writes = workload.run(writing.signal);
        await sleep(warmupMs);
        const started = Date.now();
        await fault.inject(env, holdMs);
        const healed = Date.now();
        await until(async () => (await Promise.all(nodes.map(ready))).every(Boolean), {
          timeoutMs: 60_000,
          what: 'both nodes to be ready again',
        });
        const readyMs = Date.now() - healed;
        await sleep(afterMs);
        writing.abort();
        await writes;
        const checked = await check(database, workload, { limitMs });
        const exits = nodes.flatMap((node) =>
          node.unexpectedExits.splice(0).map((exit) => `node ${node.name} exited: ${JSON.stringify(exit)}`),
        );
        const result = {
          round,
          fault: fault.name,
          acknowledged: workload.ledger.acknowledged - before.acknowledged,
          uncertain: workload.ledger.uncertain - before.uncertain,
          faultMs: healed - started,
          readyMs,
          ...checked,
          failures: [...checked.failures, ...exits],
        };
        results.push(result);
        log(
          `round ${round} · ${fault.name}: ${result.acknowledged} acknowledged, ${result.lost} lost, converged in ${result.convergeMs ?? '—'} ms` +
            (result.failures.length ? ` · FAILED: ${result.failures.slice(0, 5).join('; ')}` : ''),
        );
      }
    }
  } finally {
    workload?.stop();
    for (const node of nodes) await node.stop();
    await proxy.close();
    await redis.stop();
    await database.stop();
  }
  return results;
}
