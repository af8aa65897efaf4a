import { createClient, type NewsForumClient, NewsForumError, type User } from '@news-forum/sdk';
import { type ErrorAction, emit } from '../../events/events.js';
import { type AddressAttribute, describeError, describeUnusable } from '../describe-error.js';
import { Controller } from './controller.js';
import { pageSessions, type SharedSession } from './page-sessions.js';

/** setTimeout's longest delay; a token may live longer (TOKEN_TTL up to 30 days), so that wait is taken in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** How far the server's clock may be ahead of the reader's when it ends the live socket of an expiring token (as the server's own tolerance). */
const CLOCK_SLACK_MS = 30_000;

/** When a token was issued and expires (seconds, on the server's clock), if it is a JWT this element can read. */
function claimsOf(token: string): { iat?: unknown; exp?: unknown } {
  try {
    return JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { iat?: unknown; exp?: unknown };
  } catch {
    return {};
  }
}

/**
 * When a token just issued expires on this clock: its life (`exp - iat`, both the server's) from now, so a reader's
 * clock set wrong does not end the session early or late; `expiresAt` as this clock reads it if the token says nothing.
 */
function localDeadline(token: string, expiresAt: string): number {
  const { iat, exp } = claimsOf(token);
  if (typeof iat === 'number' && typeof exp === 'number' && exp > iat) return Date.now() + (exp - iat) * 1000;
  return Date.parse(expiresAt);
}

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
  /** How far the server's clock was ahead of this one when the reader's token was issued (ms; negative: behind). */
  serverAheadMs = 0;
  /** When the reader's token expires, on this clock (ms since the epoch). */
  #expiresAt: number | undefined;
  #expiry: ReturnType<typeof setTimeout> | undefined;
  #calls = new AbortController();
  /** The session of a reader whose element was moved in the page (disconnected, then connected again). */
  #kept: ({ base: string } & NonNullable<SharedSession['signedIn']>) | undefined;
  /** Hears the page's other elements sign in and out (see page-sessions.ts). */
  readonly #hear = (session: SharedSession) => this.#adopt(session);
  #stopHearing: (() => void) | undefined;

  /** Carried by every call of this session; `also` adds the signal of the view that made the call. */
  signal(also?: AbortSignal): AbortSignal {
    return also ? AbortSignal.any([this.#calls.signal, also]) : this.#calls.signal;
  }

  override hostConnected(): void {
    this.#stopHearing ??= pageSessions.listen(this.#hear);
    // Moved in the page: the next update starts the client again.
    this.changed();
  }

  hostUpdate(): void {
    if (!this.host.isConnected) return;
    const base = resolveApi(this.host.api) ?? '';
    if (base === this.base) return;
    // Signed in to the forum `api` named before: that session ends, on its server too.
    const left = this.base && this.user ? this.user.login : undefined;
    if (left !== undefined) {
      void this.forum?.logout();
      // The token is revoked: the page's other elements on that forum are signed out too.
      this.#tell(undefined, 'Signed out elsewhere on this page: sign in again.');
    }
    this.#close();
    if (left !== undefined) emit(this.host, 'news-forum-logout', { login: left, reason: 'api-changed' });
    this.base = base;
    if (!base) {
      this.refuse('api', this.host.api);
      return;
    }
    const latest = pageSessions.latest(base);
    const moved = this.#kept?.base === base ? this.#kept : undefined;
    this.#kept = undefined;
    // Kept from before a move, unless another element signed in or out of this forum since; else the page's session.
    const kept = moved && (!latest || latest.signedIn?.token === moved.token) ? moved : latest?.signedIn;
    // The bundle's live connection is WebSocket only (src/live/websocket-io.ts), whatever `socket` asks for.
    this.forum = createClient({ baseUrl: base, ...(kept && { token: kept.token }) });
    this.ui.connection.follow(this.forum);
    if (kept) {
      this.begin(kept.user, kept.expiresAt);
      this.serverAheadMs = kept.serverAheadMs;
    }
    // What changed while the element was away, or the page's session it starts with, is told as if it happened here.
    if (kept === moved) return;
    if (moved) emit(this.host, 'news-forum-logout', { login: moved.user.login, reason: 'user' });
    if (kept) emit(this.host, 'news-forum-login', { user: kept.user, created: false });
  }

  hostDisconnected(): void {
    this.#stopHearing?.();
    this.#stopHearing = undefined;
    const token = this.forum?.token;
    this.#kept =
      token && this.user && this.base
        ? { base: this.base, token, user: this.user, expiresAt: this.#expiresAt, serverAheadMs: this.serverAheadMs }
        : undefined;
    // What the reader is writing is kept with the session: the forms go while the client starts again.
    if (this.#kept) this.ui.parts.loaded?.forms.keep();
    this.#close();
  }

  /**
   * An attribute names an address the element cannot use: it fires `news-forum-error`; the element shows
   * the same sentence in place of the forum (`base` is '' for `api`, the page's state `unusable` for `page`).
   */
  refuse(attribute: AddressAttribute, value: string): void {
    const message = describeUnusable(attribute);
    const error = new NewsForumError('network_error', `Not a usable ${attribute} address: ${value}`);
    emit(this.host, 'news-forum-error', { action: 'load', message, error });
  }

  /**
   * The reader signed in (`session`, as the server answered just now) or their session was kept (its deadline on
   * this clock): it ends by itself when their token does.
   */
  begin(user: User, session: { token: string; expiresAt: string } | number | undefined): void {
    this.user = user;
    clearTimeout(this.#expiry);
    const at = typeof session === 'object' ? localDeadline(session.token, session.expiresAt) : session;
    this.#expiresAt = at !== undefined && Number.isFinite(at) ? at : undefined;
    this.#armExpiry();
    if (typeof session !== 'object') return;
    // Issued just now: how far the server's clock is ahead of this one, for what the server counts (an account's age).
    const { iat } = claimsOf(session.token);
    this.serverAheadMs = typeof iat === 'number' ? iat * 1000 - Date.now() : 0;
    // Signed in here just now: the page's other elements on this forum take the session.
    this.#tell({ user, token: session.token, expiresAt: this.#expiresAt, serverAheadMs: this.serverAheadMs });
  }

  /**
   * Whether the reader's token is expiring (within the clocks' slack): a live socket the server closes then
   * was closed for that, not because the forum cannot be reached.
   */
  get expiring(): boolean {
    return this.user !== undefined && this.#expiresAt !== undefined && this.#expiresAt - Date.now() <= CLOCK_SLACK_MS;
  }

  /** The reader's token expired: the session ends here before the server refuses a submit, keeping what they were writing. */
  expire(): void {
    if (this.user) this.ended('Your sign-in has expired: sign in again.');
  }

  signOut(): void {
    const login = this.user?.login ?? '';
    this.#signedOut(true, false);
    this.#tell(undefined);
    // The Sign out button gives way to Sign in: focus goes there rather than to the page.
    this.ui.focus.request('open:sign-in');
    this.ui.notices.show('Signed out.');
    emit(this.host, 'news-forum-logout', { login, reason: 'user' });
  }

  /** Reports a failure: the `news-forum-error` event, a notice when asked, and signing out when the session is gone. */
  report(action: ErrorAction, error: NewsForumError, notice: boolean): void {
    const message = describeError(error);
    emit(this.host, 'news-forum-error', { action, message, error });
    if (error.status === 401 && this.user) this.ended(`${message}: sign in again.`);
    else if (notice) this.ui.notices.show(message, true);
  }

  /**
   * The session ended without the reader signing out (token expired or refused, account deleted), saying
   * why in `message`. What they were writing is kept for when they sign in again, which the sign-in form offers.
   * Nothing is sent again by itself.
   */
  ended(message: string): void {
    this.#end(message);
    this.#tell(undefined, message);
  }

  #end(message: string): void {
    const login = this.user?.login ?? '';
    // Focus follows to the sign-in form only from inside the element (from a form that goes away), never from the page.
    const focused = this.host.matches(':focus-within');
    this.#signedOut(false, true);
    this.ui.view.panel = 'sign-in';
    this.ui.notices.show(message, true);
    if (focused) this.ui.focus.request('panel');
    emit(this.host, 'news-forum-logout', { login, reason: 'session-ended' });
  }

  /** What the stream cannot tell: the reader's votes (in the list when `list`), a post outside the list, a page's hidden discussion. */
  resync(list = Boolean(this.user)): void {
    if (list) this.ui.front.load();
    this.ui.parts.loaded?.thread.load();
    this.ui.page.load();
  }

  /** Tells the page's other elements on this forum that the reader signed in (`signedIn`) or out. */
  #tell(signedIn: SharedSession['signedIn'], endedBecause?: string): void {
    const { base } = this;
    // After this element's own events of the change, which follow in this turn.
    if (base) queueMicrotask(() => pageSessions.tell({ base, signedIn, endedBecause }, this.#hear));
  }

  /**
   * Another element of the page on this forum signed in or out: this one follows, as if the reader had done it
   * here, but sends nothing (the other element signed in, or revoked the token).
   */
  #adopt({ base, signedIn, endedBecause }: SharedSession): void {
    const { forum, user } = this;
    if (!forum || base !== this.base) return;
    if (!signedIn) {
      if (!user) return;
      if (endedBecause !== undefined) {
        this.#end(endedBecause);
        return;
      }
      this.#signedOut(false, false);
      this.ui.notices.show('Signed out.');
      emit(this.host, 'news-forum-logout', { login: user.login, reason: 'user' });
      return;
    }
    if (forum.token === signedIn.token) return;
    // Signed in as another account here: that session's calls, votes and open forms go.
    if (user) this.#renew();
    forum.setToken(signedIn.token);
    this.begin(signedIn.user, signedIn.expiresAt);
    this.serverAheadMs = signedIn.serverAheadMs;
    // As where the reader signed in, without moving focus: the forms of the drafts open again, the sign-in's go.
    const { view, parts, notices } = this.ui;
    if (parts.loaded) parts.loaded.forms.resume(signedIn.user.login);
    else {
      view.panel = undefined;
      notices.show();
    }
    view.afterSignIn = undefined;
    this.resync();
    emit(this.host, 'news-forum-login', { user: signedIn.user, created: false });
    this.changed();
  }

  /**
   * `revoke`: the reader signed out, so the token is ended on the server too (not when the server ended it already).
   * `keepDrafts`: the forms' texts are kept for the next sign-in.
   */
  #signedOut(revoke: boolean, keepDrafts: boolean): void {
    if (revoke) void this.forum?.logout();
    else this.forum?.setToken(undefined);
    // Read before the forms go away with the session.
    this.ui.parts.loaded?.forms.sessionEnded(keepDrafts);
    this.user = undefined;
    this.ui.view.panel = undefined;
    this.#renew();
    // Loads cut short by the abort are made again, as the anonymous reader.
    this.resync(true);
  }

  /** Aborts the calls of the session that ends, and forgets its votes and its open moderation form (ban, edit, flag). */
  #renew(): void {
    clearTimeout(this.#expiry);
    this.#expiresAt = undefined;
    this.#calls.abort();
    this.#calls = new AbortController();
    this.ui.votes.clear();
    this.ui.parts.loaded?.moderation.reset();
  }

  #armExpiry(): void {
    const at = this.#expiresAt;
    if (at === undefined) return;
    const left = at - Date.now();
    this.#expiry = setTimeout(() => (left > MAX_DELAY_MS ? this.#armExpiry() : this.expire()), Math.min(Math.max(left, 0), MAX_DELAY_MS));
  }

  #close(): void {
    this.ui.connection.follow(undefined);
    this.forum?.close();
    this.forum = this.base = this.user = undefined;
    this.#renew();
  }
}
