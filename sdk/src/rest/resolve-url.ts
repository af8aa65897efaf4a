import { NetworkError } from '../errors/network-error.js';

/**
 * `url`, made from the client's `baseUrl`, resolved against the page: a
 * relative `baseUrl` serves same-origin pages. Where there is no page (Node),
 * or `baseUrl` is mistyped, it is the error each call reports instead, since
 * calls never throw.
 */
export function resolveUrl(url: string, baseUrl: string): URL | NetworkError {
  try {
    return new URL(url, globalThis.location?.href);
  } catch (cause) {
    return new NetworkError(`baseUrl ${baseUrl} is not an absolute URL`, { cause });
  }
}
