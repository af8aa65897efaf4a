import type { CallOptions, Result } from './result.js';
import type { DataOf, PathOf, Target } from './route.js';
import { type Call, mayHaveTakenEffect, type Send } from './transport.js';

/**
 * DELETE `path`. When an attempt failed in a way that may have taken effect
 * and the retry finds nothing (404, or `gone`), that attempt most likely did the deleting, and either way
 * the resource is gone as asked: that counts as success.
 */
export async function remove<P extends PathOf<'delete'>>(
  send: Send,
  target: Target<P, 'delete'> & Pick<Call<P, 'delete'>, 'token'>,
  options?: CallOptions,
  gone = 404,
): Promise<Result<DataOf<P, 'delete'>>> {
  let maybeDone = false;
  const result = await send<'delete', P>({ ...target, onRetry: (failure) => (maybeDone ||= mayHaveTakenEffect(failure)) }, options);
  if (maybeDone && result.error?.status === gone && result.response)
    return { data: null as DataOf<P, 'delete'>, error: undefined, response: result.response };
  return result;
}
