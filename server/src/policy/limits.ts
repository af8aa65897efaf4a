import { ProblemError } from '../problem/problem-error.js';
import { type RateLimit, RateLimiter } from './rate-limiter.js';

/** Rate limits of one node. Every limit can be overridden when the server is started in code. */
export interface LimitSettings {
  /** Any request, per client IP. */
  requestsPerIp: RateLimit;
  /** Writes (POST, PUT, DELETE), per account. */
  writesPerUser: RateLimit;
  /** Login attempts per client IP. */
  loginsPerIp: RateLimit;
  /** Failed login attempts per login name from one IP. */
  failedLoginsPerLoginAndIp: RateLimit;
  /**
   * Failed login attempts per login name from all IPs together: high, so that
   * nobody can lock an account out cheaply, but a bound on distributed guessing.
   */
  failedLoginsPerLogin: RateLimit;
  /** Account creations per client IP. */
  signupsPerIp: RateLimit;
  /** Socket events (subscribe, unsubscribe) per socket. */
  socketEventsPerSocket: RateLimit;
  /** Largest JSON body, in bytes. */
  bodyBytes: number;
}

const MINUTE = 60_000;

export const DEFAULT_LIMITS: LimitSettings = {
  requestsPerIp: { max: 600, windowMs: MINUTE },
  writesPerUser: { max: 120, windowMs: MINUTE },
  loginsPerIp: { max: 30, windowMs: MINUTE },
  failedLoginsPerLoginAndIp: { max: 10, windowMs: 15 * MINUTE },
  failedLoginsPerLogin: { max: 200, windowMs: 15 * MINUTE },
  signupsPerIp: { max: 20, windowMs: 60 * MINUTE },
  socketEventsPerSocket: { max: 60, windowMs: MINUTE },
  bodyBytes: 256 * 1024,
};

export type LimiterName = Exclude<keyof LimitSettings, 'bodyBytes'>;

/** The node's rate limiters, by name. */
export class Limits {
  readonly settings: LimitSettings;
  readonly #limiters: Readonly<Record<LimiterName, RateLimiter>>;

  constructor(overrides: Partial<LimitSettings> = {}) {
    this.settings = { ...DEFAULT_LIMITS, ...overrides };
    const limiter = (name: LimiterName) => new RateLimiter(this.settings[name]);
    this.#limiters = {
      requestsPerIp: limiter('requestsPerIp'),
      writesPerUser: limiter('writesPerUser'),
      loginsPerIp: limiter('loginsPerIp'),
      failedLoginsPerLoginAndIp: limiter('failedLoginsPerLoginAndIp'),
      failedLoginsPerLogin: limiter('failedLoginsPerLogin'),
      signupsPerIp: limiter('signupsPerIp'),
      socketEventsPerSocket: limiter('socketEventsPerSocket'),
    };
  }

  /** Counts a hit; throws a 429 problem with `Retry-After` when over the limit. */
  enforce(name: LimiterName, key: string): void {
    const decision = this.#limiters[name].hit(key);
    if (!decision.allowed) {
      throw new ProblemError('rate-limited', `Rate limit of ${decision.limit} reached; retry in ${decision.retryAfterSeconds} s`, {
        headers: { 'Retry-After': String(decision.retryAfterSeconds) },
      });
    }
  }

  /** Whether a hit is allowed, for callers that answer without HTTP (sockets). */
  allow(name: LimiterName, key: string): boolean {
    return this.#limiters[name].hit(key).allowed;
  }

  reset(name: LimiterName, key: string): void {
    this.#limiters[name].reset(key);
  }

  close(): void {
    for (const limiter of Object.values(this.#limiters)) limiter.close();
  }
}
