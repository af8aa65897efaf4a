import type { Limits } from './limits.js';

/**
 * Bytes of a body that cost as much as a request of their own: serializing,
 * checking and compressing it take time in proportion to its size, and a
 * client asking for pages of the longest posts would otherwise spend seconds
 * of the node per request under a limit that counts requests alone.
 */
export const BYTES_PER_REQUEST = 64 * 1024;

/**
 * Counts what a body of `bytes` (before compression) cost beyond its request
 * against the address's request limit: it refuses later requests, never this
 * answer, which is already on its way.
 */
export function chargeAnswer(limits: Limits, address: string, bytes: number): void {
  const points = Math.floor(bytes / BYTES_PER_REQUEST);
  if (points > 0) limits.charge('requestsPerIp', address, points).catch(() => undefined);
}

/**
 * About how many bytes a socket snapshot of posts or comments takes, from
 * its texts (serializing it a second time to know would cost what is
 * charged for): at least what JSON needs for them.
 */
export function snapshotBytes(items: readonly { title?: string; url?: string | null; text?: string | null }[]): number {
  let bytes = 0;
  for (const item of items) bytes += 256 + (item.title?.length ?? 0) + (item.url?.length ?? 0) + (item.text?.length ?? 0);
  return bytes;
}
