import { performance } from 'node:perf_hooks';

/** How far back the event loop's load counts, in ms: a few busy milliseconds close together are not load. */
export const LOAD_HORIZON_MS = 100;
/** From this share of busy time the event loop counts as loaded: batching pays for the wait it adds. */
export const LOADED = 0.6;
/** From this share it counts as saturated. */
export const SATURATED = 0.9;

let last = performance.eventLoopUtilization();
let load = 0;

/**
 * The share of the time this process's event loop was busy lately: its
 * utilization averaged with weights that fade over LOAD_HORIZON_MS, updated
 * on each call (a call after a long quiet spell sees that spell alone).
 */
export function eventLoopLoad(): number {
  const { active, idle, utilization } = performance.eventLoopUtilization(last);
  last = performance.eventLoopUtilization();
  const weight = 1 - Math.exp(-(active + idle) / LOAD_HORIZON_MS);
  if (Number.isFinite(utilization)) load += weight * (utilization - load);
  return load;
}
