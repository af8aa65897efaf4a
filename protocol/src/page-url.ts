// protocol is typed without DOM or Node globals; both have these WHATWG classes.
interface WhatwgUrl {
  protocol: string;
  username: string;
  password: string;
  port: string;
  hash: string;
  pathname: string;
  search: string;
  readonly href: string;
  readonly searchParams: Iterable<[string, string]>;
}
declare const URL: new (input: string) => WhatwgUrl;
declare const URLSearchParams: new (init: [string, string][]) => { toString(): string };

/** Query parameters that say where a reader came from, not which page it is. */
const TRACKING = /^(utm_.*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|igshid|_ga|_gl|ref_src)$/i;
const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };
/** Characters that mean the same percent-encoded or not (RFC 3986, 2.3). */
const UNRESERVED = /^[A-Za-z0-9._~-]$/;
/** The longest page URL the contract accepts. */
export const MAX_PAGE_URL_LENGTH = 2048;

/**
 * The key of a page's discussion: an http(s) URL with scheme and host
 * lower-cased, the default port, the fragment and tracking parameters
 * (`utm_*`, `fbclid`, `gclid`...) dropped, and the remaining query
 * parameters sorted. The path is kept as written but for its
 * percent-encodings (RFC 3986, 6.2.2): unreserved characters decoded, the
 * others in upper case; `/a//b` and `/a/` stay other pages than `/a/b` and
 * `/a`, as a site may serve them differently. Returns null for anything
 * that is not an absolute http(s) URL.
 *
 * @example
 * normalisePageUrl('HTTPS://Blog.example.com:443/post-42?utm_source=x&b=2&a=1#top')
 * // 'https://blog.example.com/post-42?a=1&b=2'
 */
export function normalisePageUrl(raw: string): string | null {
  let url: WhatwgUrl;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  if (url.port === DEFAULT_PORTS[url.protocol]) url.port = '';
  url.hash = '';
  url.pathname = url.pathname.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
  const kept = [...url.searchParams].filter(([name]) => !TRACKING.test(name));
  // Stable sort by name: repeated names keep their order, which may matter to the page.
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  const normal = url.href;
  return normal.length > MAX_PAGE_URL_LENGTH ? null : normal;
}
