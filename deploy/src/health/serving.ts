/** What a node's `/readyz` answers: 200 or 503, with each check `ok` or `fail`. */
export interface Readiness {
  status: number;
  checks?: Record<string, string>;
}

/**
 * Whether a node serves, as the image's HEALTHCHECK and the discovery
 * sidekick judge it: ready, or not ready only for Redis. Every node shares
 * that Redis, so taking nodes out for it would take every node out at once
 * while each still serves reads, writes and live streams.
 */
export function serves({ status, checks }: Readiness): boolean {
  if (status >= 200 && status < 300) return true;
  if (status !== 503 || checks?.redis !== 'fail') return false;
  return Object.entries(checks).every(([name, state]) => name === 'redis' || state === 'ok');
}

/** Asks `url` (a node's `/readyz`) within `timeoutMs` whether the node serves. */
export async function nodeServes(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await answer.json().catch(() => ({}))) as { checks?: Record<string, string> };
    return serves({ status: answer.status, checks: body.checks });
  } catch {
    return false;
  }
}
