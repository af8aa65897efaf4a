import type { CallOptions, Result } from './result.js';
import { mayHaveTakenEffect, type Send } from './transport.js';

/**
 * DELETE `path`. When an attempt failed in a way that may have taken effect
 * and the retry finds nothing (404), that attempt most likely did the deleting, and either way
 * the resource is gone as asked: that counts as success.
 */
export async function remove(send: Send, path: string, options: CallOptions = {}): Promise<Result<null>> {
  let maybeDone = false;
  const result = await send<null>({
    method: 'DELETE',
    path,
    idempotent: true,
    signal: options.signal,
    onRetry: (failure) => (maybeDone ||= mayHaveTakenEffect(failure)),
  });
  if (maybeDone && result.error?.status === 404) return { data: null, error: undefined, response: result.response! };
  return result;
}
