import type { CreateOptions, Result } from './result.js';
import type { Send } from './transport.js';
/**
 * A creation: not idempotent by itself, so it is retried only thanks to its
 * `Idempotency-Key`, fresh per call unless the caller brings one.
 */
export declare function create<T>(send: Send, method: 'POST' | 'PUT', path: string, body: unknown, options?: CreateOptions): Promise<Result<T>>;
//# sourceMappingURL=create.d.ts.map