/**
 * The path of a request as it was sent, without its query. `new URL()` reads
 * a path that starts with `//` as a host (`//evil.example/x` is `/x` of
 * evil.example, `//` does not parse at all), so paths are compared as sent.
 */
export function requestPath(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}
