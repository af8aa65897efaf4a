import { createHash } from 'node:crypto';
import type { Request } from 'express';
import stableStringify from 'fast-json-stable-stringify';
import type { Caller } from '../auth/caller.js';
import type { IdempotencyKey } from '../store/store.js';

/** The Idempotency-Key of a creation, bound to the caller and to what is asked. */
export function idempotencyKey(key: string | undefined, caller: Caller, req: Request, body: unknown): IdempotencyKey | undefined {
  if (key === undefined) return undefined;
  const requestHash = createHash('sha256')
    // Canonical JSON (sorted members): a retry may serialize the same body in another order.
    .update(`${req.method} ${req.path}\n${stableStringify(body)}`)
    .digest('base64url');
  return { owner: caller.login, key, requestHash };
}
