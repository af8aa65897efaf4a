import type { Problem } from '@news-forum/protocol';

/** Stable problem kinds; `type` of the problem+json body is `urn:news-forum:problem:<kind>`. */
export type ProblemKind =
  | 'bad-request'
  | 'request-timeout'
  | 'headers-too-large'
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'idempotency-mismatch'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'rate-limited'
  | 'unavailable'
  | 'internal'
  | 'page-origin-not-allowed'
  | 'discussion-hidden'
  | 'edit-window-closed'
  | 'thread-locked'
  | 'account-banned'
  | 'last-admin';

const STATUS: Record<ProblemKind, number> = {
  'bad-request': 400,
  'request-timeout': 408,
  'headers-too-large': 431,
  validation: 422,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'idempotency-mismatch': 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  unavailable: 503,
  internal: 500,
  'page-origin-not-allowed': 403,
  'discussion-hidden': 404,
  'edit-window-closed': 422,
  'thread-locked': 409,
  'account-banned': 403,
  'last-admin': 409,
};

const TITLE: Record<ProblemKind, string> = {
  'bad-request': 'Bad request',
  'request-timeout': 'The request took too long to arrive',
  'headers-too-large': 'Request header fields too large',
  validation: 'Request does not match the schema',
  unauthorized: 'Authentication required',
  forbidden: 'Forbidden',
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  conflict: 'Conflict',
  'idempotency-mismatch': 'Idempotency-Key reused with a different request',
  'payload-too-large': 'Payload too large',
  'unsupported-media-type': 'Unsupported media type',
  'rate-limited': 'Too many requests',
  unavailable: 'Service unavailable',
  internal: 'Internal server error',
  'page-origin-not-allowed': 'This page may not have a discussion here',
  'discussion-hidden': 'A moderator hid this discussion',
  'edit-window-closed': 'The edit window has closed',
  'thread-locked': 'The thread is locked',
  'account-banned': 'The account is banned',
  'last-admin': 'The last admin must stay',
};

/** What a 503 tells clients to wait, in seconds: a database restarting or failing over takes a few. */
const UNAVAILABLE_RETRY_SECONDS = '2';

/** RFC 9457 problem details as sent on the wire (the contract's Problem schema). */
export type ProblemBody = Problem;
/** One invalid member of a request, located by a JSON pointer. */
export type ProblemFieldError = NonNullable<Problem['errors']>[number];

/**
 * The server's one error class. Anything thrown as a ProblemError is
 * answered as `application/problem+json` with its status and stable `type`;
 * anything else becomes a 500 without details.
 */
export class ProblemError extends Error {
  readonly kind: ProblemKind;
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: ProblemFieldError[] | undefined;
  /** Extra response headers (`Retry-After`, `WWW-Authenticate`). */
  readonly headers: Record<string, string>;
  /** Extension members of the body (RFC 9457 section 3.2), such as `bannedUntil`. */
  readonly extensions: Pick<ProblemBody, 'bannedUntil'>;

  constructor(
    kind: ProblemKind,
    detail?: string,
    extras: {
      errors?: ProblemFieldError[];
      headers?: Record<string, string>;
      cause?: unknown;
      extensions?: Pick<ProblemBody, 'bannedUntil'>;
    } = {},
  ) {
    super(detail ?? TITLE[kind], { cause: extras.cause });
    this.name = 'ProblemError';
    this.kind = kind;
    this.status = STATUS[kind];
    this.type = `urn:news-forum:problem:${kind}`;
    this.title = TITLE[kind];
    this.detail = detail;
    this.errors = extras.errors;
    // Every 503 says when to try again (the contract's ServiceUnavailable), unless its thrower knows better.
    this.headers = kind === 'unavailable' ? { 'Retry-After': UNAVAILABLE_RETRY_SECONDS, ...extras.headers } : (extras.headers ?? {});
    this.extensions = extras.extensions ?? {};
  }

  toJSON(): ProblemBody {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail !== undefined && { detail: this.detail }),
      ...(this.errors !== undefined && { errors: this.errors }),
      ...this.extensions,
    };
  }
}

export function isProblemError(error: unknown): error is ProblemError {
  return error instanceof ProblemError;
}
