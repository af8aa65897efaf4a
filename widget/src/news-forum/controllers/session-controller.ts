import {
  type CallOptions,
  createClient,
  type NewsForumClient,
  NewsForumError,
  type Result,
  type Session,
  type User,
} from '@news-forum/sdk';
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
 * the account signed in, signing in, up and out, and the end of a session
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
    this.#close();
    this.base = base;
    if (!base) {
      const error = new NewsForumError('network_error', `Not an http(s) URL: ${this.host.api}`);
      emit(this.host, 'news-forum-error', { action: 'load', message: describeError(error), error });
      return;
    }
    const kept = this.#kept?.base === base ? this.#kept : undefined;
    this.#kept = undefined;
    this.forum = createClient({ baseUrl: base, ...(kept && { token: kept.token }) });
    this.user = kept?.user;
    this.ui.connection.follow(this.forum);
  }

  hostDisconnected(): void {
    const token = this.forum?.token;
    this.#kept = token && this.user && this.base ? { base: this.base, token, user: this.user } : undefined;
    this.#close();
  }

  canDelete(author: string): boolean {
    return Boolean(this.user && (this.user.login === author || this.user.scopes.includes('delete')));
  }

  signIn(event: SubmitEvent): void {
    void this.ui.forms.submit(
      'sign-in',
      'sign-in',
      event,
      (forum, form, options) => forum.login(String(form.get('login')), String(form.get('password')), options),
      (session) => this.#signedIn(session.user, false),
    );
  }

  signUp(event: SubmitEvent): void {
    const create = async (forum: NewsForumClient, form: FormData, options: CallOptions): Promise<Result<Session>> => {
      const login = String(form.get('login'));
      const password = String(form.get('password'));
      const displayName = String(form.get('displayName') ?? '').trim();
      const created = await forum.users.create(login, { password, ...(displayName && { displayName }) }, options);
      return created.error ? created : forum.login(login, password, options);
    };
    void this.ui.forms.submit('sign-up', 'sign-up', event, create, (session) => this.#signedIn(session.user, true));
  }

  signOut(): void {
    const login = this.user?.login ?? '';
    this.#signedOut();
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
    this.#signedOut();
    this.ui.notices.show('Your session has ended (the account may have been deleted). Please sign in again.', true);
    emit(this.host, 'news-forum-logout', { login, reason: 'session-ended' });
  }

  /** What the stream cannot tell: the reader's votes (in the list when `list`), a post outside the list. */
  resync(list = Boolean(this.user)): void {
    if (list) this.ui.front.load();
    this.ui.thread.load();
  }

  #signedIn(user: User, created: boolean): void {
    this.user = user;
    this.ui.forms.set({ panel: undefined });
    this.ui.notices.show();
    this.resync();
    emit(this.host, 'news-forum-login', { user, created });
    this.ui.focus.request('open:post');
  }

  #signedOut(): void {
    this.forum?.logout();
    this.user = undefined;
    this.ui.forms.set({ panel: undefined, replyTo: undefined, confirming: undefined });
    this.#renew();
    // Loads cut short by the abort are made again, as the anonymous reader.
    this.resync(true);
  }

  /** Aborts the calls of the session that ends, and forgets its votes. */
  #renew(): void {
    this.#calls.abort();
    this.#calls = new AbortController();
    this.ui.votes.clear();
  }

  #close(): void {
    this.ui.connection.follow(undefined);
    this.forum?.close();
    this.forum = this.base = this.user = undefined;
    this.#renew();
  }
}
