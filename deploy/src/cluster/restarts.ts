import type { RestartPolicy } from './supervised.js';

/** The kinds of program the cluster runs. */
export type ProgramKind =
  | 'node'
  | 'load-balancer'
  | 'public-proxy'
  | 'demo'
  | 'redis'
  | 'postgres'
  | 'postgres-replica'
  | 'public-etcd'
  | 'etcd'
  | 'rethinkdb';

/**
 * How long each kind of program of the cluster stays down before it is
 * started again: the `RestartSec=` of the fleet unit that runs it
 * (deploy/fleet/), so that a program killed in the cluster comes back when it
 * would in the deployment. `recipes.test.ts` keeps the two equal.
 */
export const RESTART_SEC: Record<ProgramKind, { seconds: number; unit?: string }> = {
  node: { seconds: 2, unit: 'news-forum@.service' },
  'load-balancer': { seconds: 2, unit: 'news-forum-lb.service' },
  'public-proxy': { seconds: 5, unit: 'news-forum-proxy.service' },
  demo: { seconds: 2, unit: 'news-forum-demo.service' },
  redis: { seconds: 5, unit: 'news-forum-redis.service' },
  postgres: { seconds: 5, unit: 'news-forum-postgres.service' },
  'postgres-replica': { seconds: 5, unit: 'news-forum-postgres-replica.service' },
  'public-etcd': { seconds: 5, unit: 'news-forum-public-etcd.service' },
  // No unit here (CoreOS runs the cluster's etcd): the public etcd's, the same program.
  etcd: { seconds: 5 },
  // No unit (the compose file restarts them, unless-stopped): the other stores'.
  rethinkdb: { seconds: 5 },
};

/** The restart policy of one kind of program, its restarts ending when `signal` aborts. */
export function restartPolicy(kind: ProgramKind, signal: AbortSignal, started?: () => Promise<void>): RestartPolicy {
  return { delayMs: RESTART_SEC[kind].seconds * 1_000, signal, ...(started && { started }) };
}
