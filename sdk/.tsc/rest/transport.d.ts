import { type RetryDelay } from './backoff.js';
import type { RequestError, Result } from './result.js';
export interface TransportOptions {
    baseUrl: string;
    fetch: typeof globalThis.fetch | undefined;
    maxRetries: number;
    timeoutMs: number;
    retryDelay: RetryDelay;
    getToken: () => string | undefined;
}
/** One REST call as the resource modules describe it. */
export interface Call {
    method: 'GET' | 'POST' | 'PUT' | 'DELETE';
    /** Path below `/api`, parameters already filled in (see `route`). */
    path: string;
    query?: Record<string, string | number | undefined> | undefined;
    body?: unknown;
    /** True when sending the request twice has the effect of sending it once. */
    idempotent: boolean;
    idempotencyKey?: string | undefined;
    signal?: AbortSignal | undefined;
    /** Told about each failed attempt that is about to be retried. */
    onRetry?: (failure: RequestError) => void;
}
export type Send = <T>(call: Call) => Promise<Result<T>>;
/**
 * The one place that talks HTTP: URL and headers, per-attempt timeout,
 * abort, JSON and problem+json bodies, and retries.
 */
export declare function createTransport(options: TransportOptions): Send;
/**
 * Whether a failed attempt might still have changed something on the server:
 * everything retried except a 429, which the server refused before acting.
 */
export declare function mayHaveTakenEffect(failure: RequestError): boolean;
//# sourceMappingURL=transport.d.ts.map