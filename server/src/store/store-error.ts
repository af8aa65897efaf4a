/**
 * Kinds of store failure, in the store's own terms:
 * - `not-found`: what the operation needs does not exist (a post to comment on, a parent comment);
 * - `conflict`: the login is taken;
 * - `idempotency-mismatch`: an idempotency key was used before for another request;
 * - `invalid`: an argument the store cannot use (a malformed cursor, a value the database rejects);
 * - `unavailable`: the database cannot be reached, or the store is closed;
 * - `account-gone`: a write by an account that does not exist (deleted while the write was under way);
 * - `thread-locked`: a comment on a locked post;
 * - `edit-window-closed`: an author's edit after the edit window;
 * - `last-admin`: a change that would leave no account with `admin`.
 */
export type StoreErrorKind =
  | 'not-found'
  | 'conflict'
  | 'idempotency-mismatch'
  | 'invalid'
  | 'unavailable'
  | 'account-gone'
  | 'thread-locked'
  | 'edit-window-closed'
  | 'last-admin';

/**
 * The one error a Store throws on purpose. It knows nothing of HTTP or
 * sockets: each transport maps `kind` to its own answer in one place.
 */
export class StoreError extends Error {
  readonly kind: StoreErrorKind;
  /** A sentence for whoever made the request, if the kind alone does not say enough. */
  readonly detail: string | undefined;

  constructor(kind: StoreErrorKind, detail?: string, options: { cause?: unknown } = {}) {
    super(detail ?? kind, { cause: options.cause });
    this.name = 'StoreError';
    this.kind = kind;
    this.detail = detail;
  }
}

/** What an action on a post or comment that does not exist fails with. */
export function missingTarget(target: { kind: 'post' | 'comment'; postId: string; id?: string }): StoreError {
  return target.kind === 'post'
    ? new StoreError('not-found', `No post ${target.postId}`)
    : new StoreError('not-found', `No comment ${target.id} on post ${target.postId}`);
}

/** What a write by an account that no longer exists fails with. */
export function accountGone(cause?: unknown): StoreError {
  return new StoreError('account-gone', 'The account no longer exists', { cause });
}
