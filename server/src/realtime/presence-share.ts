import { randomUUID } from 'node:crypto';
import { wait } from '../backoff.js';
import type { RedisClient } from '../redis/connect-redis.js';

/** The field of a node's counts that holds its number of sockets. */
export const ONLINE = '*';

/** Turns this node's counts (by room, plus ONLINE) into totals over every node. */
export interface PresenceShare {
  /** Totals of the rooms in `local` (and ONLINE), or undefined when they could not be read this time. */
  exchange(local: Map<string, number>): Promise<Map<string, number> | undefined>;
  close(): Promise<void>;
}

/** Without Redis, this node is everyone. */
export const localShare: PresenceShare = {
  exchange: async (local) => local,
  close: async () => undefined,
};

const NODES = 'presence:nodes';

/**
 * Counts shared through Redis: each node replaces its own hash
 * `presence:<node>` (room → sockets) in one MULTI with a TTL of three
 * periods, and lists itself in a sorted set scored by that expiry, so a
 * node that died drops out by itself. Totals are read with one HMGET per
 * live node for the rooms this node has readers in: the cost per period
 * follows topics and nodes, never sockets.
 */
export function redisShare(client: RedisClient, instanceName: string, periodMs: number): PresenceShare {
  const node = `${instanceName}:${randomUUID()}`;
  const key = `presence:${node}`;
  const ttlMs = periodMs * 3;
  return {
    async exchange(local) {
      const now = Date.now();
      const write = client
        .multi()
        .del(key)
        .hSet(key, Object.fromEntries([...local].map(([room, n]) => [room, String(n)])));
      await write
        .pExpire(key, ttlMs)
        .zAdd(NODES, { score: now + ttlMs, value: node })
        .zRemRangeByScore(NODES, 0, now)
        .exec();
      const nodes = await client.zRangeByScore(NODES, now, '+inf');
      const fields = [...local.keys()];
      const read = client.multi();
      for (const other of nodes) read.hmGet(`presence:${other}`, fields);
      const replies = (await read.exec()) as unknown as (string | null)[][];
      return new Map(fields.map((room, i) => [room, replies.reduce((sum, counts) => sum + Number(counts[i] ?? 0), 0)]));
    },
    async close() {
      // Best effort, and bounded: a node that cannot withdraw its counts has them expire within three periods.
      const withdrawn = client.multi().del(key).zRem(NODES, node).exec();
      const bound = new AbortController();
      await Promise.race([withdrawn.catch(() => undefined), wait(1000, bound.signal)]);
      bound.abort();
    },
  };
}
