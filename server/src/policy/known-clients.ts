import { wait } from '../backoff.js';

/** The Redis commands known clients are shared with (a node-redis client). */
export interface KnownClientsRedis {
  readonly isReady: boolean;
  set(key: string, value: string, options: { expiration: { type: 'EX'; value: number } }): Promise<unknown>;
  exists(key: string): Promise<number>;
}

const REDIS_TIMEOUT_MS = 500;
const KEY_PREFIX = 'news-forum:known-client:';

/**
 * The (login, client address) pairs that signed in successfully lately:
 * in this node's memory (oldest first; past `capacity` the oldest are
 * forgotten), and, with Redis, shared by every node so that the owner is
 * known wherever the balancer sends the next attempt. Redis unreachable:
 * this node's memory alone.
 */
export class KnownClients {
  readonly #seen = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #capacity: number;
  readonly #redis: KnownClientsRedis | undefined;

  constructor(ttlMs: number, capacity: number, redis?: KnownClientsRedis) {
    this.#ttlMs = ttlMs;
    this.#capacity = capacity;
    this.#redis = redis;
  }

  async remember(login: string, address: string, now = Date.now()): Promise<void> {
    const key = `${login} ${address}`;
    this.#seen.delete(key);
    this.#seen.set(key, now);
    if (this.#seen.size > this.#capacity) this.#seen.delete(this.#seen.keys().next().value as string);
    const redis = this.#redis;
    if (redis?.isReady) {
      await this.#bounded(redis.set(KEY_PREFIX + key, '1', { expiration: { type: 'EX', value: Math.ceil(this.#ttlMs / 1000) } }));
    }
  }

  async has(login: string, address: string, now = Date.now()): Promise<boolean> {
    const key = `${login} ${address}`;
    const seen = this.#seen.get(key);
    if (seen !== undefined && now - seen < this.#ttlMs) return true;
    const redis = this.#redis;
    if (!redis?.isReady) return false;
    return (await this.#bounded(redis.exists(KEY_PREFIX + key))) === 1;
  }

  /** A Redis command that fails or hangs counts as not known: the stricter answer. */
  async #bounded<T>(command: Promise<T>): Promise<T | undefined> {
    return Promise.race([command.catch(() => undefined), wait(REDIS_TIMEOUT_MS).then(() => undefined)]);
  }
}
