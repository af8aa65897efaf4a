import autocannon from 'autocannon';

/**
 * Runs autocannon (in this process, on the load's core) and resolves to the
 * 2xx answers per second; fails when any answer was not 2xx or errored, so a
 * rate limit or a broken route cannot pass for a fast one.
 */
export async function requestsPerSecond(options) {
  const result = await autocannon({ connections: 50, ...options });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0)
    throw new Error(
      `${options.url}: ${bad} of ${result.requests.sent} requests failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`,
    );
  return result['2xx'] / result.duration;
}
