import { request as httpRequest } from 'node:http';
import { DeployError } from './deploy-error.js';

/** Polls `check` until it returns true; throws a `start-timeout` error naming `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs: number,
  options: { intervalMs?: number; alive?: () => boolean } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (options.alive && !options.alive()) throw new DeployError('process-exited', `exited before ${what}`);
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline) throw new DeployError('start-timeout', `${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

/** Waits until `url` answers with a status `accept` likes (default 2xx). */
export function waitForHttp(
  url: string,
  options: { timeoutMs: number; accept?: (status: number) => boolean; alive?: () => boolean },
): Promise<void> {
  const accept = options.accept ?? ((status: number) => status >= 200 && status < 300);
  return waitFor(
    async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return accept(response.status);
    },
    `an answer from ${url}`,
    options.timeoutMs,
    options.alive ? { alive: options.alive } : {},
  );
}

/**
 * Status of a GET with an explicit Host header (fetch does not send one it
 * is given), as a browser asking for `api.localhost` through the proxy would.
 */
export function statusWithHost(url: string, host: string, timeoutMs = 2_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: { host }, timeout: timeoutMs }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    request.once('timeout', () => request.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    request.once('error', reject);
    request.end();
  });
}
