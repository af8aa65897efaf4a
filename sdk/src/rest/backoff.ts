import type { RequestError } from './result.js';

/** Milliseconds to wait before retry number `retry` (1 for the first retry). */
export type RetryDelay = (retry: number) => number;

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 5_000;
/** Beyond this a server's `Retry-After` is not waited for: the error is returned instead. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Capped, jittered exponential backoff: `min(0.5 s · 2^(retry-1), 5 s)`
 * scaled by a random factor in [0.5, 1], so clients that failed together
 * do not retry together.
 */
export const defaultRetryDelay: RetryDelay = (retry) =>
  Math.min(INITIAL_DELAY_MS * 2 ** (retry - 1), MAX_DELAY_MS) * (0.5 + Math.random() / 2);

/** Statuses worth asking again for: the server is overloaded or failing, not refusing the request. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Whether a failed call is worth making again: no answer came, or a transient status. */
export function isTransientError(error: RequestError): boolean {
  return error.code === 'network_error' || error.code === 'timeout' || (error.code === 'api_error' && isTransientStatus(error.status));
}

/** Milliseconds a `Retry-After` header asks for (delta-seconds or HTTP-date); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Waits `ms`; resolves false at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
