/** Milliseconds to wait before retry number `retry` (1 for the first retry). */
export type RetryDelay = (retry: number) => number;
/** Beyond this a server's `Retry-After` is not waited for: the error is returned instead. */
export declare const MAX_RETRY_AFTER_MS = 60000;
/**
 * Capped, jittered exponential backoff: `min(0.5 s · 2^(retry-1), 5 s)`
 * scaled by a random factor in [0.5, 1], so clients that failed together
 * do not retry together.
 */
export declare const defaultRetryDelay: RetryDelay;
/** Statuses worth asking again for: the server is overloaded or failing, not refusing the request. */
export declare function isTransientStatus(status: number): boolean;
/** Milliseconds a `Retry-After` header asks for (delta-seconds or HTTP-date); undefined when absent or unreadable. */
export declare function parseRetryAfter(header: string | null, now?: number): number | undefined;
/** Waits `ms`; resolves false at once when `signal` aborts. */
export declare function sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
//# sourceMappingURL=backoff.d.ts.map