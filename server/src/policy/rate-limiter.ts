import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';

/** Result of counting one hit against a limit. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window that refused the hit ends. */
  retryAfterSeconds: number;
}

export interface RateLimit {
  /** Hits allowed per window. */
  max: number;
  windowMs: number;
}

/** What a Redis-backed limiter needs: a node-redis client (rate-limiter-flexible's `useRedisPackage`). */
export interface SharedCounter {
  client: unknown;
  /** Prefix of every key, so that limits of several deployments can share one Redis. */
  prefix: string;
}

const SHARED_TIMEOUT_MS = 500;

/**
 * Fixed-window counter per key (rate-limiter-flexible). In this node's
 * memory, or, with `shared`, in Redis so that every node counts together;
 * when Redis does not answer, the hit is counted in this node's memory
 * instead (the insurance limiter) and the request goes on.
 */
export class RateLimiter {
  readonly #limit: RateLimit;
  readonly #limiter: RateLimiterMemory | RLWrapperTimeouts;

  constructor(name: string, limit: RateLimit, shared?: SharedCounter) {
    this.#limit = limit;
    const options = {
      points: limit.max,
      duration: Math.max(1, Math.round(limit.windowMs / 1000)),
      keyPrefix: `${shared?.prefix ?? ''}${name}`,
    };
    const memory = new RateLimiterMemory(options);
    this.#limiter = shared
      ? // A Redis that hangs (stopped, cut off) must not hold requests: past the timeout, memory counts.
        new RLWrapperTimeouts({
          timeoutMs: SHARED_TIMEOUT_MS,
          limiter: new RateLimiterRedis({
            ...options,
            storeClient: shared.client,
            useRedisPackage: true,
            // Not connected: go to memory at once rather than wait for a command to fail.
            rejectIfRedisNotReady: true,
            insuranceLimiter: memory,
          }),
        })
      : memory;
  }

  async hit(key: string): Promise<RateDecision> {
    const { max } = this.#limit;
    try {
      const res = await this.#limiter.consume(key);
      return decision(true, max, res);
    } catch (error) {
      if (error instanceof RateLimiterRes) return decision(false, max, error);
      throw error;
    }
  }

  /** Counts `points` more hits in the current window without refusing anything: what was just answered cost that much. */
  async charge(key: string, points: number): Promise<void> {
    await this.#limiter.penalty(key, points);
  }

  /** Takes back one hit of the current window, e.g. a login attempt counted as failed that succeeded. */
  async refund(key: string): Promise<void> {
    await this.#limiter.reward(key, 1);
  }

  /** Forgets a key, e.g. the failed logins of an account after a success. */
  async reset(key: string): Promise<void> {
    await this.#limiter.delete(key);
  }
}

function decision(allowed: boolean, limit: number, res: RateLimiterRes): RateDecision {
  return {
    allowed,
    limit,
    remaining: Math.max(0, res.remainingPoints),
    retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  };
}
