import { setTimeout as delay } from 'node:timers/promises';

/**
 * Capped exponential backoff with full jitter: the wait before retry
 * `attempt` (0 for the first) is random below `min(capMs, baseMs · 2^attempt)`,
 * so nodes that failed together do not retry together.
 */
export function backoffDelay(attempt: number, baseMs = 100, capMs = 5_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
}

/**
 * Resolves true after `ms`, or false as soon as `signal` aborts, without
 * keeping the process alive.
 */
export async function wait(ms: number, signal?: AbortSignal): Promise<boolean> {
  try {
    await delay(ms, undefined, { signal, ref: false });
    return true;
  } catch (error) {
    if (signal?.aborted) return false;
    throw error;
  }
}
