import { ProblemError } from '../problem/problem-error.js';
import { KnownClients, type KnownClientsRedis } from './known-clients.js';
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

/** Where limits are counted: in Redis for every node, or in this node's memory. */
export type LimitsMode = 'shared' | 'per-node';

/** Redis for limits shared by every node (REDIS_URL). */
export interface SharedLimits {
  /** A node-redis client. */
  client: KnownClientsRedis & { on(event: 'ready' | 'error' | 'end', listener: (...args: unknown[]) => void): unknown };
  /** Told once each time the limits switch between shared and per-node counting. */
  onModeChange?: (mode: LimitsMode) => void;
}

const KEY_PREFIX = 'news-forum:limit:';

/** The node's rate limiters, by name; shared through Redis when given one. */
export class Limits {
  readonly settings: LimitSettings;
  /** Addresses each account signed in from lately; see failedLoginsPerLogin. */
  readonly knownClients: KnownClients;
  readonly #limiters: Readonly<Record<LimiterName, RateLimiter>>;
  readonly #shared: SharedLimits | undefined;
  /** The mode last reported, so each change is logged once. */
  #reported: LimitsMode;
  #closed = false;

  constructor(overrides: Partial<LimitSettings> = {}, shared?: SharedLimits) {
    this.settings = { ...DEFAULT_LIMITS, ...overrides };
    this.#shared = shared;
    this.knownClients = new KnownClients(KNOWN_CLIENT_MS, KNOWN_CLIENT_CAPACITY, shared?.client);
    const counter = shared && { client: shared.client, prefix: KEY_PREFIX };
    const limiter = (name: LimiterName) => new RateLimiter(name, this.settings[name], counter);
    this.#limiters = {
      requestsPerIp: limiter('requestsPerIp'),
      writesPerUser: limiter('writesPerUser'),
      loginsPerIp: limiter('loginsPerIp'),
      failedLoginsPerLoginAndIp: limiter('failedLoginsPerLoginAndIp'),
      failedLoginsPerLogin: limiter('failedLoginsPerLogin'),
      signupsPerIp: limiter('signupsPerIp'),
      socketEventsPerSocket: limiter('socketEventsPerSocket'),
    };
    this.#reported = shared && !shared.client.isReady ? 'per-node' : 'shared';
    if (shared) {
      const report = () => {
        const mode = this.mode;
        if (this.#closed || mode === this.#reported) return;
        this.#reported = mode;
        shared.onModeChange?.(mode);
      };
      for (const event of ['ready', 'error', 'end'] as const) shared.client.on(event, report);
      if (this.#reported === 'per-node') queueMicrotask(() => shared.onModeChange?.('per-node'));
    }
  }

  /** `shared` while counted in Redis; `per-node` without REDIS_URL or while Redis is unreachable. */
  get mode(): LimitsMode {
    return this.#shared?.client.isReady ? 'shared' : 'per-node';
  }

  /** Stops reporting mode changes (the node is closing its Redis client). */
  close(): void {
    this.#closed = true;
  }

  /** Counts a hit; throws a 429 problem with `Retry-After` when over the limit. */
  async enforce(name: LimiterName, key: string): Promise<void> {
    const decision = await this.#limiters[name].hit(key);
    if (!decision.allowed) {
      throw new ProblemError('rate-limited', `Rate limit of ${decision.limit} reached; retry in ${decision.retryAfterSeconds} s`, {
        headers: { 'Retry-After': String(decision.retryAfterSeconds) },
      });
    }
  }

  /** Whether a hit is allowed, for callers that answer without HTTP (sockets). */
  async allow(name: LimiterName, key: string): Promise<boolean> {
    return (await this.#limiters[name].hit(key)).allowed;
  }

  /** Counts `points` more hits against `key`; refuses nothing now, only later hits once the window is spent. */
  async charge(name: LimiterName, key: string, points: number): Promise<void> {
    await this.#limiters[name].charge(key, points);
  }

  /** Takes back one hit counted by `enforce` or `allow`. */
  async refund(name: LimiterName, key: string): Promise<void> {
    await this.#limiters[name].refund(key);
  }

  async reset(name: LimiterName, key: string): Promise<void> {
    await this.#limiters[name].reset(key);
  }
}
