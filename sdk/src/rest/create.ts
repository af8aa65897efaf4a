import type { CreateOptions, Result } from './result.js';
import type { BodyOf, DataOf, PathOf, Target } from './route.js';
import type { Send } from './transport.js';

/**
 * A creation: not idempotent by itself, so it is retried only thanks to its
 * `Idempotency-Key`, fresh per call unless the caller brings one.
 */
export function create<M extends 'post' | 'put', P extends PathOf<M>>(
  send: Send,
  target: Target<P, M>,
  body: BodyOf<P, M>,
  options: CreateOptions = {},
): Promise<Result<DataOf<P, M>>> {
  return send<M, P>({ ...target, body, idempotent: false, idempotencyKey: options.idempotencyKey ?? newIdempotencyKey() }, options);
}

/**
 * A random UUID (v4). Built on `getRandomValues` because `crypto.randomUUID`
 * exists only in secure contexts, and the widget also runs on plain-http pages.
 */
function newIdempotencyKey(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  // RFC 9562: the version (4) in the high nibble of byte 6, the variant (0b10) in the top bits of byte 8.
  const uuidByte = (byte: number, i: number) => (i === 6 ? (byte & 0x0f) | 0x40 : i === 8 ? (byte & 0x3f) | 0x80 : byte);
  const hex = Array.from(bytes, (byte, i) => uuidByte(byte, i).toString(16).padStart(2, '0')).join('');
  return hex.replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}
