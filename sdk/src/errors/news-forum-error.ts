import type { Problem } from '@news-forum/protocol';

/**
 * Stable, machine-readable kind of a {@link NewsForumError}:
 * - `api_error`: the server answered with an error status ({@link ApiError});
 * - `network_error`: no usable answer (connection refused or reset, unreadable body);
 * - `timeout`: no answer within `timeoutMs` ({@link TimeoutError});
 * - `aborted`: the caller's `AbortSignal` fired.
 */
export type ErrorCode = 'api_error' | 'network_error' | 'timeout' | 'aborted';

// A registry symbol rather than `instanceof`: the ESM and CJS builds (or two
// installed versions) each have their own class.
const BRAND = Symbol.for('news-forum.error');

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
export class NewsForumError extends Error {
  /** Stable kind of failure; see {@link ErrorCode}. */
  readonly code: ErrorCode;
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** The server's RFC 9457 problem details, when it answered with an error. */
  readonly problem: Problem | undefined;
  /** The server's request id (`X-Request-Id`), to quote in bug reports. */
  readonly requestId: string | undefined;

  constructor(code: ErrorCode, message: string, details: { status?: number; problem?: Problem; requestId?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    // Spelled out: minifiers rename classes, and `name` is part of the error's contract.
    this.name = 'NewsForumError';
    this.code = code;
    this.status = details.status;
    this.problem = details.problem;
    this.requestId = details.requestId;
  }

  /** @internal */
  get [BRAND](): true {
    return true;
  }

  /** A JSON-safe copy, for logs and for passing errors between threads or processes. */
  toJSON(): NewsForumErrorJSON {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.status !== undefined && { status: this.status }),
      ...(this.problem !== undefined && { problem: this.problem }),
      ...(this.requestId !== undefined && { requestId: this.requestId }),
    };
  }
}

/**
 * True for any error the SDK produced, including those of another copy of
 * the SDK loaded in the same program (where `instanceof` would fail).
 *
 * @example
 * try { for await (const post of forum.posts.all()) use(post); }
 * catch (e) { if (isNewsForumError(e)) console.warn(e.code, e.problem?.detail); else throw e; }
 */
export function isNewsForumError(value: unknown): value is NewsForumError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}
