import type { CallOptions, Result } from './result.js';
import { type Send } from './transport.js';
/**
 * DELETE `path`. When an attempt failed in a way that may have taken effect
 * and the retry finds nothing (404), that attempt most likely did the deleting, and either way
 * the resource is gone as asked: that counts as success.
 */
export declare function remove(send: Send, path: string, options?: CallOptions): Promise<Result<null>>;
//# sourceMappingURL=remove.d.ts.map