// The faults, one per round. Each injects, holds for `holdMs` (a SIGSTOP
// always 15 s), then heals; `heal()` resolves once the fault is repaired.

import { sleep } from './processes.mjs';

/**
 * The faults on a campaign whose database is `label` (PostgreSQL or
 * RethinkDB). `env` holds database, redis, proxy and nodes [a, b]; node a
 * reaches the database through the proxy.
 */
export const faults = (label) => [
  {
    name: `kill -9 ${label}, restart`,
    async inject(env, holdMs) {
      await env.database.kill();
      await sleep(holdMs);
      await env.database.start();
    },
  },
  {
    name: 'SIGSTOP node b 15 s, SIGCONT',
    async inject(env) {
      env.nodes[1].pause();
      await sleep(15_000);
      env.nodes[1].resume();
    },
  },
  {
    name: 'kill -9 Redis, restart',
    async inject(env, holdMs) {
      await env.redis.kill();
      await sleep(holdMs);
      await env.redis.start();
    },
  },
  {
    name: 'cut node a ↔ database, restore',
    async inject(env, holdMs) {
      env.proxy.cut();
      await sleep(holdMs);
      env.proxy.restore();
    },
  },
  {
    name: 'kill -9 node a, restart',
    async inject(env, holdMs) {
      await env.nodes[0].kill();
      await sleep(holdMs);
      await env.nodes[0].start();
    },
  },
];
