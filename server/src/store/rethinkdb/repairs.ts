import { backoffDelay, wait } from '../../backoff.js';
import { repairCounters } from './recount.js';
import type { Context } from './tables.js';

export interface RepairOptions {
  /** How often every post is recounted (default five minutes; 0: only at start-up and on demand). */
  sweepMs: number;
  /** How often the posts whose counter update failed are recounted (default two seconds). */
  retryMs: number;
  /**
   * The pause before a difference found by the sweep counts as damage: longer
   * than a query may take, so that a counter update still in flight on some
   * node has landed or failed (and then that node repairs it).
   */
  settleMs: number;
}

/**
 * Repairs counters in the background, so that a vote or comment whose
 * counter update was lost (the node crashed, or the cluster failed, between
 * the two steps) is counted again without waiting for a restart: the posts
 * this node saw fail are recounted until that succeeds, and every node
 * recounts every post now and then for what a crashed node left behind. A
 * post that changes while it is being confirmed is tried again at the next
 * retry, until it holds still long enough.
 * Returns the function that stops it and waits for a recount in progress.
 */
export function startRepairs(ctx: Context, options: RepairOptions): () => Promise<void> {
  const stopping = new AbortController();
  const run = (async () => {
    let lastSweep = Date.now();
    for (let failures = 0; !stopping.signal.aborted; ) {
      const delayMs = failures > 0 ? Math.max(options.retryMs, backoffDelay(failures, options.retryMs, 60_000)) : options.retryMs;
      if (!(await wait(delayMs, stopping.signal))) return;
      const sweep = options.sweepMs > 0 && Date.now() - lastSweep >= options.sweepMs;
      const suspects = [...ctx.suspects];
      if (!sweep && suspects.length === 0) continue;
      try {
        const settle = { settleMs: options.settleMs, signal: stopping.signal };
        const { unsettled } = await repairCounters(ctx, sweep ? undefined : suspects, settle);
        // A post that changed while it was being confirmed stays a suspect (or becomes one, found by the sweep):
        // dropped, it would stay off until the next sweep, which a busy post may never let settle either.
        for (const id of suspects) ctx.suspects.delete(id);
        for (const id of unsettled) ctx.suspects.add(id);
        if (sweep) lastSweep = Date.now();
        failures = 0;
      } catch {
        // The cluster is away: the suspects stay, and the next attempt waits longer.
        failures++;
      }
    }
  })();
  return async () => {
    stopping.abort();
    await run;
  };
}
