import { ProblemError } from '../problem/problem-error.js';
import { KnownClients } from './known-clients.js';
import { type RateLimit, RateLimiter } from './rate-limiter.js';

/**
 * Rate limits of one node. Each can be set by its RATE_* variable (see
 * RATE_LIMIT_VARIABLES) or when the server is started in code.
 */
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
   * Failed login attempts per login name from all IPs together: a bound on
   * distributed guessing. It does not apply to an address the account signed
   * in from lately, so that strangers guessing cannot lock the owner out.
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
/** How long a successful sign-in makes its address known to the account, and how many pairs a node remembers. */
const KNOWN_CLIENT_MS = 30 * 24 * 60 * MINUTE;
const KNOWN_CLIENT_CAPACITY = 100_000;

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
  /** Addresses each account signed in from lately; see failedLoginsPerLogin. */
  readonly knownClients = new KnownClients(KNOWN_CLIENT_MS, KNOWN_CLIENT_CAPACITY);
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

  /** Takes back one hit counted by `enforce` or `allow`. */
  refund(name: LimiterName, key: string): void {
    this.#limiters[name].refund(key);
  }

  reset(name: LimiterName, key: string): void {
    this.#limiters[name].reset(key);
  }

  close(): void {
    for (const limiter of Object.values(this.#limiters)) limiter.close();
  }
}
