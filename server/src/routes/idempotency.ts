import { createHash } from 'node:crypto';
import type { IdempotencyKey } from '../store/store.js';
import type { HandlerContext } from '../http/handler.js';

/** The Idempotency-Key of a creation, bound to the caller and to what is asked. */
export function idempotencyKey({ headers, caller, req, body }: HandlerContext): IdempotencyKey | undefined {
  const key = headers['idempotency-key'];
  if (key === undefined || caller === undefined) return undefined;
  const requestHash = createHash('sha256').update(`${req.method} ${req.path}\n${JSON.stringify(body)}`).digest('base64url');
  return { owner: caller.login, key, requestHash };
}

export const REPLAYED_HEADER = 'Idempotent-Replayed';
