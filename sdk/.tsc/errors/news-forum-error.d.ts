import type { Problem } from '../types.js';
/**
 * Stable, machine-readable kind of a {@link NewsForumError}:
 * - `api_error`: the server answered with an error status ({@link ApiError});
 * - `network_error`: no usable answer (connection refused or reset, unreadable body);
 * - `timeout`: no answer within `timeoutMs` ({@link TimeoutError});
 * - `aborted`: the caller's `AbortSignal` fired.
 */
export type ErrorCode = 'api_error' | 'network_error' | 'timeout' | 'aborted';
declare const BRAND: unique symbol;
/** Plain-object form of an error, as {@link NewsForumError.toJSON} returns it. */
export interface NewsForumErrorJSON {
    name: string;
    code: ErrorCode;
    message: string;
    status?: number;
    problem?: Problem;
    requestId?: string;
}
/**
 * Base class of every error the SDK reports. REST calls return it as `error`
 * (they never throw); iterators and live views throw or emit it.
 *
 * @example
 * const { error } = await forum.posts.get(id);
 * if (error?.code === 'api_error' && error.status === 404) showNotFound();
 */
export declare class NewsForumError extends Error {
    /** Stable kind of failure; see {@link ErrorCode}. */
    readonly code: ErrorCode;
    /** HTTP status, when the server answered. */
    readonly status: number | undefined;
    /** The server's RFC 9457 problem details, when it answered with an error. */
    readonly problem: Problem | undefined;
    /** The server's request id (`X-Request-Id`), to quote in bug reports. */
    readonly requestId: string | undefined;
    constructor(code: ErrorCode, message: string, details?: {
        status?: number;
        problem?: Problem;
        requestId?: string;
        cause?: unknown;
    });
    /** @internal */
    get [BRAND](): true;
    /** A JSON-safe copy, for logs and for passing errors between threads or processes. */
    toJSON(): NewsForumErrorJSON;
}
/**
 * True for any error the SDK produced, including those of another copy of
 * the SDK loaded in the same program (where `instanceof` would fail).
 *
 * @example
 * try { for await (const post of forum.posts.all()) use(post); }
 * catch (e) { if (isNewsForumError(e)) console.warn(e.code, e.problem?.detail); else throw e; }
 */
export declare function isNewsForumError(value: unknown): value is NewsForumError;
export {};
//# sourceMappingURL=news-forum-error.d.ts.map