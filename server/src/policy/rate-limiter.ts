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

/**
 * Fixed-window counter per key, in memory on this node. Old windows are
 * dropped as keys are touched and on a timer that does not keep the process alive.
 */
export class RateLimiter {
  readonly #limit: RateLimit;
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(limit: RateLimit) {
    this.#limit = limit;
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(limit.windowMs, 1000)).unref();
  }

  hit(key: string, now = Date.now()): RateDecision {
    const { max, windowMs } = this.#limit;
    let window = this.#windows.get(key);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count += 1;
    const allowed = window.count <= max;
    return {
      allowed,
      limit: max,
      remaining: Math.max(0, max - window.count),
      retryAfterSeconds: Math.max(1, Math.ceil((window.start + windowMs - now) / 1000)),
    };
  }

  /** Takes back one hit of the current window, e.g. a login attempt counted as failed that succeeded. */
  refund(key: string): void {
    const window = this.#windows.get(key);
    if (window && window.count > 0) window.count -= 1;
  }

  /** Forgets a key, e.g. the failed logins of an account after a success. */
  reset(key: string): void {
    this.#windows.delete(key);
  }

  close(): void {
    clearInterval(this.#sweeper);
  }

  #sweep(now = Date.now()): void {
    for (const [key, window] of this.#windows) if (now - window.start >= this.#limit.windowMs) this.#windows.delete(key);
  }
}
