import { createClient, type NewsForumClient, NewsForumError, type User } from '@news-forum/sdk';
import { type ErrorAction, emit } from '../../events/events.js';
import { describeError } from '../describe-error.js';
import { Controller } from './controller.js';

/** Where the forum is: `api` resolved against the page, if it is an http(s) URL. */
function resolveApi(api: string): string | undefined {
  try {
    const url = new URL(api || '/', document.baseURI);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.href.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

/**
 * The reader's session with the forum: the client for the `api` attribute,
 * the account signed in (see FormsController), signing out, and the end of a session
 * the server no longer accepts (401). Every call of a session carries its
 * `signal`, which signing out aborts: late answers are dropped, not counted.
 */
export class SessionController extends Controller {
  forum: NewsForumClient | undefined;
  /** The `api` the client was made for: undefined before starting, '' when `api` is not an http(s) URL. */
  base: string | undefined;
  user: User | undefined;
  #calls = new AbortController();
  /** The session of a reader whose element was moved in the page (disconnected, then connected again). */
  #kept: { base: string; token: string; user: User } | undefined;

  /** Carried by every call of this session; `also` adds the signal of the view that made the call. */
  signal(also?: AbortSignal): AbortSignal {
    return also ? AbortSignal.any([this.#calls.signal, also]) : this.#calls.signal;
  }

  override hostConnected(): void {
    // Moved in the page: the next update starts the client again.
    this.changed();
  }

  hostUpdate(): void {
    if (!this.host.isConnected) return;
    const base = resolveApi(this.host.api) ?? '';
    if (base === this.base) return;
    // Signed in to the forum `api` named before: that session ends, on its server too.
    const left = this.base && this.user ? this.user.login : undefined;
    if (left !== undefined) void this.forum?.logout();
    this.#close();
    if (left !== undefined) emit(this.host, 'news-forum-logout', { login: left, reason: 'api-changed' });
    this.base = base;
    if (!base) {
      const error = new NewsForumError('network_error', `Not an http(s) URL: ${this.host.api}`);
      emit(this.host, 'news-forum-error', { action: 'load', message: describeError(error), error });
      return;
    }
    const kept = this.#kept?.base === base ? this.#kept : undefined;
    this.#kept = undefined;
    // The bundle's live connection is WebSocket only (src/live/websocket-io.ts), whatever `socket` asks for.
    this.forum = createClient({ baseUrl: base, ...(kept && { token: kept.token }) });
    this.user = kept?.user;
    this.ui.connection.follow(this.forum);
  }

  hostDisconnected(): void {
    const token = this.forum?.token;
    this.#kept = token && this.user && this.base ? { base: this.base, token, user: this.user } : undefined;
    this.#close();
  }

  signOut(): void {
    const login = this.user?.login ?? '';
    this.#signedOut(true);
    // The Sign out button gives way to Sign in: focus goes there rather than to the page.
    this.ui.focus.request('open:sign-in');
    this.ui.notices.show('Signed out.');
    emit(this.host, 'news-forum-logout', { login, reason: 'user' });
  }

  /** Reports a failure: the `news-forum-error` event, a notice when asked, and signing out when the session is gone. */
  report(action: ErrorAction, error: NewsForumError, notice: boolean): void {
    const message = describeError(error);
    emit(this.host, 'news-forum-error', { action, message, error });
    if (error.status === 401 && this.user) this.ended();
    else if (notice) this.ui.notices.show(message, true);
  }

  /** The server no longer accepts the reader's token (account deleted, token expired). */
  ended(): void {
    const login = this.user?.login ?? '';
    this.#signedOut(false);
    this.ui.notices.show('Your session has ended (the account may have been deleted). Please sign in again.', true);
    emit(this.host, 'news-forum-logout', { login, reason: 'session-ended' });
  }

  /** What the stream cannot tell: the reader's votes (in the list when `list`), a post outside the list. */
  resync(list = Boolean(this.user)): void {
    if (list) this.ui.front.load();
    this.ui.parts.loaded?.thread.load();
  }

  /** `revoke`: the reader signed out, so the token is ended on the server too (not when the server ended it already). */
  #signedOut(revoke: boolean): void {
    if (revoke) void this.forum?.logout();
    else this.forum?.setToken(undefined);
    this.user = undefined;
    this.ui.view.panel = undefined;
    this.ui.parts.loaded?.forms.set({ replyTo: undefined, confirming: undefined });
    this.#renew();
    // Loads cut short by the abort are made again, as the anonymous reader.
    this.resync(true);
  }

  /** Aborts the calls of the session that ends, and forgets its votes and its open moderation form (ban, edit, flag). */
  #renew(): void {
    this.#calls.abort();
    this.#calls = new AbortController();
    this.ui.votes.clear();
    this.ui.parts.loaded?.moderation.reset();
  }

  #close(): void {
    this.ui.connection.follow(undefined);
    this.forum?.close();
    this.forum = this.base = this.user = undefined;
    this.#renew();
  }
}
