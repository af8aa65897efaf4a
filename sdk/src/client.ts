import type { ApiInfo, Session, User } from '@news-forum/protocol';
import { Connection, type SocketClientOptions } from './live/connection.js';
import { createLive, type Live } from './live/live.js';
import { tokenExpired } from './live/token-expiry.js';
import { defaultRetryDelay, type RetryDelay } from './rest/backoff.js';
import { type CommentsApi, createCommentsApi } from './rest/comments.js';
import { createModerationApi, type ModerationApi } from './rest/moderation.js';
import { createNotificationsApi, type NotificationsApi } from './rest/notifications.js';
import { createPagesApi, type PagesApi } from './rest/pages.js';
import { createPostsApi, type PostsApi } from './rest/posts.js';
import { remove } from './rest/remove.js';
import type { CallOptions, Result } from './rest/result.js';
import { createTransport } from './rest/transport.js';
import { createUsersApi, type UsersApi } from './rest/users.js';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /**
   * The forum's origin (and path prefix, if any), e.g. `https://forum.example.com`. REST calls go to `${baseUrl}/api`.
   * In a browser it may be relative to the page. One that is not a URL fails each call with a `NetworkError`, and
   * live streams with status `closed`.
   */
  baseUrl: string;
  /** A `fetch` to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: typeof globalThis.fetch;
  /** A bearer token to start with, e.g. one kept from an earlier `login()`. */
  token?: string;
  /** Retries after a network error, timeout, 5xx or 429; default 2 (so at most 3 attempts). 0 disables. */
  maxRetries?: number;
  /** Time limit of each attempt, body included, in ms; default 30 000. 0 disables. */
  timeoutMs?: number;
  /** Wait before retry `n` (1-based) in ms; default `min(500·2^(n-1), 5000)` times a random factor in [0.5, 1]. */
  retryDelay?: RetryDelay;
  /** Time to wait for the server to acknowledge a live subscription, in ms; default 10 000. */
  ackTimeoutMs?: number;
  /**
   * socket.io-client options for the live connection, e.g. `{ transports: ['websocket'] }`.
   * Defaults: path `${baseUrl path}/socket.io`, reconnection forever with a delay growing from
   * 1 s to 5 s (`reconnectionDelay`, `reconnectionDelayMax`) and jitter 0.5 (`randomizationFactor`).
   */
  socket?: SocketClientOptions;
}

/** A client of one forum; see {@link createClient}. */
export interface NewsForumClient {
  /** The bearer token sent with every call and on every socket (re)connect, if any. */
  readonly token: string | undefined;
  /** Replaces the token (undefined signs out); an open live socket reconnects with it. */
  setToken(token: string | undefined): void;
  /**
   * Exchanges login and password for a token, keeps it (see `token`), and
   * reconnects an open live socket with it.
   *
   * @example
   * const { data, error } = await forum.login('ana', 'correct horse battery');
   * if (error?.status === 401) askAgain();
   */
  login(login: string, password: string, options?: CallOptions): Promise<Result<Session>>;
  /**
   * Signs out: forgets the token at once (later calls and the live socket go
   * on anonymously) and revokes it on the server (`DELETE /api/authenticate`),
   * so it stops working on every node. Resolves with the revocation's result,
   * or undefined when there was no token.
   *
   * @example
   * const result = await forum.logout();
   * if (result?.error) console.warn('the token may still be valid until it expires', result.error.code);
   */
  logout(options?: CallOptions): Promise<Result<null> | undefined>;
  /**
   * Changes the signed-in account's password (`PUT /api/me/password`). Every
   * token of the account stops working, on every device; this client keeps
   * the new session the server answers with and reconnects its live socket.
   * When the answer is lost (a network error or a timeout), the change may
   * have been made: signing in with the new password tells, and keeps that
   * session (`login` never sends the token held, which would then be revoked).
   *
   * @example
   * const { error } = await forum.changePassword('correct horse battery', 'battery staple horse');
   * if (error?.status === 403) showError('The current password is wrong');
   */
  changePassword(oldPassword: string, newPassword: string, options?: CallOptions): Promise<Result<Session>>;
  /** Name, version and instance of the server that answered. */
  info(options?: CallOptions): Promise<Result<ApiInfo>>;
  /** The account the token belongs to. */
  me(options?: CallOptions): Promise<Result<User>>;
  /** Accounts: create, read, list, delete. */
  readonly users: UsersApi;
  /** Posts and votes. */
  readonly posts: PostsApi;
  /** Comments of a post. */
  readonly comments: CommentsApi;
  /** Discussions of pages of embedding sites, one post per page. */
  readonly pages: PagesApi;
  /** Replies to the signed-in reader's posts and comments; live ones arrive as `forum.live.on('notification')`. */
  readonly notifications: NotificationsApi;
  /** Editing, flags, moderator actions, bans, scopes, the moderation queue and log. */
  readonly moderation: ModerationApi;
  /** Live streams of posts and comments over socket.io. */
  readonly live: Live;
  /** Ends every live view and subscription and closes the socket. REST calls keep working. */
  close(): void;
}

/**
 * Creates a client. REST calls return `{ data, error, response }` and never
 * throw; live streams open a socket on first use.
 *
 * @example
 * const forum = createClient({ baseUrl: 'https://forum.example.com' });
 * await forum.login('ana', 'correct horse battery');
 * const { data, error } = await forum.posts.list({ sort: 'hot' });
 * const stop = forum.live.posts.on('change', ({ new_val }) => console.log(new_val?.title));
 */
export function createClient(options: ClientOptions): NewsForumClient {
  let token = options.token;
  const getToken = () => token;
  const retryDelay = options.retryDelay ?? defaultRetryDelay;
  const send = createTransport({
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    maxRetries: options.maxRetries ?? 2,
    timeoutMs: options.timeoutMs ?? 30_000,
    retryDelay,
    getToken,
  });
  const connection = new Connection({
    baseUrl: options.baseUrl,
    getToken: () => (token === undefined || tokenExpired(token) ? undefined : token),
    socket: options.socket,
    ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
    retryDelay,
  });
  const comments = createCommentsApi(send);
  const { live, closeViews } = createLive(connection, comments, retryDelay);
  const setToken = (next: string | undefined) => {
    if (next === token) return;
    token = next;
    connection.reconnect();
  };

  return {
    get token() {
      return token;
    },
    setToken,
    async login(login, password, options) {
      // Logging in twice is harmless, so lost answers are retried. Without the token held: one expired or revoked
      // would have the sign-in refused.
      const body = { login, password };
      const result = await send({ method: 'post', path: '/authenticate', body, token: null }, options);
      if (result.data) setToken(result.data.token);
      return result;
    },
    async logout(options) {
      const current = token;
      if (current === undefined) return undefined;
      setToken(undefined);
      // A retry after an attempt that may have revoked it finds the token revoked (401): that is success.
      return remove(send, { method: 'delete', path: '/authenticate', token: current }, options, 401);
    },
    async changePassword(oldPassword, newPassword, options) {
      // Not retried: after a lost answer the token sent is revoked and a retry could only fail (see the README).
      const result = await send({ method: 'put', path: '/me/password', body: { oldPassword, newPassword }, idempotent: false }, options);
      if (result.data) setToken(result.data.token);
      return result;
    },
    info: (options) => send({ method: 'get', path: '/' }, options),
    me: (options) => send({ method: 'get', path: '/me' }, options),
    users: createUsersApi(send),
    posts: createPostsApi(send),
    comments,
    pages: createPagesApi(send),
    notifications: createNotificationsApi(send),
    moderation: createModerationApi(send),
    live,
    close() {
      closeViews();
      connection.close();
    },
  };
}
