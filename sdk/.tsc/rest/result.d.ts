import type { ApiError } from '../errors/api-error.js';
import type { NetworkError } from '../errors/network-error.js';
import type { TimeoutError } from '../errors/timeout-error.js';
/** Every way a REST call can fail; narrow on `error.code`. */
export type RequestError = ApiError | NetworkError | TimeoutError;
/**
 * Outcome of a REST call. Calls never throw: exactly one of `data` and
 * `error` is set. `response` is the last HTTP response (absent when none
 * arrived). Calls answered `204 No Content` have `data: null`.
 *
 * @example
 * const { data, error } = await forum.posts.get(id);
 * if (error) return console.error(error.code, error.problem?.title);
 * console.log(data.title);
 */
export type Result<T> = {
    data: T;
    error: undefined;
    response: Response;
} | {
    data: undefined;
    error: RequestError;
    response: Response | undefined;
};
/** Options every call accepts. */
export interface CallOptions {
    /** Cancels the call, including any wait between retries; the result is then a `NetworkError` with code `aborted`. */
    signal?: AbortSignal;
}
/** Options of calls that create something. */
export interface CreateOptions extends CallOptions {
    /**
     * Sent as `Idempotency-Key`, so a retry returns the first result instead
     * of a duplicate. Defaults to a fresh UUID per call, reused by the SDK's
     * own retries; pass your own to make retries across restarts safe too.
     */
    idempotencyKey?: string;
}
//# sourceMappingURL=result.d.ts.map