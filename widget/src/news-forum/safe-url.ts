/**
 * The parsed URL when it is absolute http(s), else undefined: only
 * those become links, so `javascript:`, `data:` and the like stay text
 * whatever the server or the stream delivers.
 */
export function httpUrl(value: string | null | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
