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
