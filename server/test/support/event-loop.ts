import { LOAD_HORIZON_MS } from '../../src/loop-load.js';

/** Resolves after `ms` of real time. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps the event loop busy for `ms`, as a send to many sockets or a node under load does. */
export function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** Busy long enough that eventLoopLoad counts the event loop as saturated. */
export const loaded = () => busy(3 * LOAD_HORIZON_MS);

/** Idle long enough that eventLoopLoad forgets the load that earlier work (an earlier test) left behind. */
export const calm = () => sleep(3 * LOAD_HORIZON_MS);

/**
 * Sleeps `ms`, and again while the event loop has not yet spent `idleMs` of it idle: a process that gets no CPU
 * finds its timers due when it runs again, and its loop does not idle.
 */
export async function idle(ms: number, idleMs = 2): Promise<void> {
  const before = performance.eventLoopUtilization();
  do await sleep(ms);
  while (performance.eventLoopUtilization(before).idle < idleMs);
}
