import { createHash } from 'node:crypto';

/** A response body serialized once, with its strong validator. */
export interface CachedBody<T> {
  value: T;
  json: Buffer;
  /** Strong ETag from the bytes, so two nodes holding the same page answer the same validator. */
  etag: string;
}

/** Serializes `value` as `res.json` would (no replacer, no spaces), so the bytes match the uncached path. */
export function cachedBody<T>(value: T): CachedBody<T> {
  const json = Buffer.from(JSON.stringify(value));
  return { value, json, etag: `"${createHash('sha1').update(json).digest('base64url')}"` };
}
