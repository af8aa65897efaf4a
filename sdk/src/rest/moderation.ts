import type {
  Ban,
  Comment,
  CommentEdit,
  FlagReason,
  ModerationLogEntry,
  ModerationQueueItem,
  NewBan,
  Page,
  Post,
  PostEdit,
  Scope,
  User,
} from '@news-forum/protocol';
import { paginate } from './paginate.js';
import type { CallOptions, Result } from './result.js';
import type { Send } from './transport.js';

/** A page request of the queue or the log. */
export interface ModerationListQuery {
  limit?: number;
  cursor?: string;
}

/** Why a moderator acts, for the moderation log (at most 500 characters). */
export interface ReasonOptions extends CallOptions {
  reason?: string;
}

/**
 * Editing, flags and moderation: `forum.moderation`. Authors edit within the
 * server's edit window (`editWindowSeconds` of `forum.info()`); moderators
 * (scope `delete`) hide, restore, lock and ban; admins set scopes and read
 * the log. Every change also arrives live on `poststream`/`commentstream`
 * with a higher `version` (`editedAt`, `hidden`, `locked` on the item).
 */
export interface ModerationApi {
  /**
   * Edits a post's title, URL or text. After the window the author gets a
   * 422 whose `type` ends in `edit-window-closed`.
   *
   * @example
   * const { data, error } = await forum.moderation.editPost(id, { title: 'Fixed typo' });
   */
  editPost(postId: string, edit: PostEdit, options?: CallOptions): Promise<Result<Post>>;
  /** Edits a comment's text. */
  editComment(postId: string, id: string, edit: CommentEdit, options?: CallOptions): Promise<Result<Comment>>;
  /** Flags a post (once per reader: again changes nothing). */
  flagPost(postId: string, reason: FlagReason, options?: CallOptions): Promise<Result<null>>;
  /** Flags a comment (once per reader: again changes nothing). */
  flagComment(postId: string, id: string, reason: FlagReason, options?: CallOptions): Promise<Result<null>>;
  /** Hides a post from everyone but moderators; its votes and comments stay. */
  hidePost(postId: string, options?: ReasonOptions): Promise<Result<Post>>;
  /** Brings a hidden post back and dismisses its flags. */
  restorePost(postId: string, options?: ReasonOptions): Promise<Result<Post>>;
  /** Replaces a comment by a placeholder for readers; its replies stay. */
  hideComment(postId: string, id: string, options?: ReasonOptions): Promise<Result<Comment>>;
  /** Brings a hidden comment back and dismisses its flags. */
  restoreComment(postId: string, id: string, options?: ReasonOptions): Promise<Result<Comment>>;
  /** Locks a post's thread: new comments are refused with 409 `thread-locked`. */
  lockPost(postId: string, options?: ReasonOptions): Promise<Result<Post>>;
  unlockPost(postId: string, options?: ReasonOptions): Promise<Result<Post>>;
  /**
   * Bans an account until `until` (ISO time) or for good (`null`): its writes
   * get 403 `account-banned` with `bannedUntil`, its sockets are disconnected.
   * With `hideContent: true` its posts and comments are hidden too (lifting
   * the ban does not restore them).
   *
   * @example
   * await forum.moderation.ban('spammer', { until: new Date(Date.now() + 86_400_000).toISOString(), reason: 'spam' });
   */
  ban(login: string, ban: NewBan, options?: CallOptions): Promise<Result<Ban>>;
  liftBan(login: string, options?: ReasonOptions): Promise<Result<User>>;
  /** Sets an account's scopes (admins); the last admin keeps `admin` (409 `last-admin`). */
  setScopes(login: string, scopes: Scope[], options?: CallOptions): Promise<Result<User>>;
  /** Flagged and hidden posts and comments, newest first (moderators). */
  queue(query?: ModerationListQuery, options?: CallOptions): Promise<Result<Page<ModerationQueueItem>>>;
  /** What moderators and admins did, newest first (admins). */
  log(query?: ModerationListQuery, options?: CallOptions): Promise<Result<Page<ModerationLogEntry>>>;
  /** Every entry of the log, page by page; throws a `RequestError` on failure. */
  allLog(options?: CallOptions): AsyncIterable<ModerationLogEntry>;
}

const note = ({ reason }: ReasonOptions = {}) => (reason === undefined ? {} : { reason });

export function createModerationApi(send: Send): ModerationApi {
  const log = (query: ModerationListQuery = {}, options?: CallOptions) => send({ method: 'get', path: '/moderation/log', query }, options);
  const postAction =
    (path: '/posts/{pid}/hide' | '/posts/{pid}/restore' | '/posts/{pid}/lock' | '/posts/{pid}/unlock') =>
    // Setting a state: repeating it after a lost answer changes nothing more.
    (pid: string, options?: ReasonOptions) =>
      send({ method: 'post', path, params: { pid }, body: note(options) }, options);
  const commentAction =
    (path: '/comments/{pid}/{id}/hide' | '/comments/{pid}/{id}/restore') => (pid: string, id: string, options?: ReasonOptions) =>
      send({ method: 'post', path, params: { pid, id }, body: note(options) }, options);
  return {
    editPost: (pid, body, options) => send({ method: 'put', path: '/posts/{pid}/edit', params: { pid }, body }, options),
    editComment: (pid, id, body, options) => send({ method: 'put', path: '/comments/{pid}/{id}/edit', params: { pid, id }, body }, options),
    flagPost: (pid, reason, options) => send({ method: 'post', path: '/posts/{pid}/flags', params: { pid }, body: { reason } }, options),
    flagComment: (pid, id, reason, options) =>
      send({ method: 'post', path: '/comments/{pid}/{id}/flags', params: { pid, id }, body: { reason } }, options),
    hidePost: postAction('/posts/{pid}/hide'),
    restorePost: postAction('/posts/{pid}/restore'),
    lockPost: postAction('/posts/{pid}/lock'),
    unlockPost: postAction('/posts/{pid}/unlock'),
    hideComment: commentAction('/comments/{pid}/{id}/hide'),
    restoreComment: commentAction('/comments/{pid}/{id}/restore'),
    ban: (login, body, options) => send({ method: 'put', path: '/users/{login}/ban', params: { login }, body }, options),
    liftBan: (login, options) => send({ method: 'delete', path: '/users/{login}/ban', params: { login }, body: note(options) }, options),
    setScopes: (login, scopes, options) =>
      send({ method: 'put', path: '/users/{login}/scopes', params: { login }, body: { scopes } }, options),
    queue: (query = {}, options) => send({ method: 'get', path: '/moderation/queue', query }, options),
    log,
    allLog: (options) => paginate((cursor) => log({ cursor }, options)),
  };
}
