import {
  createClient,
  DEFAULT_PAGE_SIZE,
  DEFAULT_POST_SORT,
  MAX_PAGE_SIZE,
  NewsForumError,
  POST_SORTS,
  type Comment,
  type LivePost,
  type LiveStatus,
  type NewsForumClient,
  type PostSort,
  type Result,
  type User,
} from '@news-forum/sdk';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { emit, type ErrorAction, type Vote } from '../events/events.js';
import { styles } from '../styles/news-forum.styles.js';
import { describeError } from './describe-error.js';
import { FrontPage, type LiveHost } from './front-page.js';
import { header } from './templates/header.js';
import { listView } from './templates/list.js';
import { postForm, signInForm, signUpForm } from './templates/forms.js';
import { threadView } from './templates/thread.js';
import type { FormKey, Ui, ViewState } from './templates/ui.js';
import { Thread } from './thread.js';
import { Votes } from './votes.js';

const CLOCK_MS = 30_000;

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
 * A live news forum: ranked posts with up and down votes, threaded comments
 * arriving live, sign in and sign up, submitting and deleting. Talks to a
 * news-forum server through `@news-forum/sdk`. The reader's token is kept
 * in memory only: reloading the page signs them out.
 *
 * @summary The news-forum as an embeddable element.
 *
 * @slot header - Replaces the title at the start of the header ("Discussion").
 * @slot empty - Shown when there are no posts yet.
 *
 * @fires news-forum-vote - The server accepted a vote: `{ postId, vote, post }`.
 * @fires news-forum-login - The reader signed in (or up): `{ user, created }`.
 * @fires news-forum-logout - The reader signed out or the session ended: `{ login, reason }`.
 * @fires news-forum-post-created - The reader submitted a post: `{ post }`.
 * @fires news-forum-comment-created - The reader commented or replied: `{ comment }`.
 * @fires news-forum-error - Something failed; the widget shows it too: `{ action, message, error }`.
 *
 * @csspart base - The element's box.
 * @csspart header - The bar with the title, the connection state and the account buttons.
 * @csspart status - The connection state ("Live", "Reconnecting…").
 * @csspart status-detail - Why the connection is down, while it is.
 * @csspart notice - Messages such as a refused vote.
 * @csspart auth-form - The sign-in and sign-up forms.
 * @csspart composer - The forms for a post, a comment or a reply.
 * @csspart submit-button - The submit button of every form.
 * @csspart new-posts-button - "Show 3 new posts".
 * @csspart post-list - The ranked list.
 * @csspart post - A post, in the list or opened.
 * @csspart title - A post's title (a link when it has a URL).
 * @csspart vote-button - Both vote buttons; also `upvote-button` and `downvote-button`.
 * @csspart upvote-button - The up button.
 * @csspart downvote-button - The down button.
 * @csspart score - A post's score.
 * @csspart comments-button - "3 comments", which opens the post.
 * @csspart post-view - An opened post with its comments.
 * @csspart comment - A comment (replies are nested inside).
 * @csspart delete-button - Delete buttons of posts and comments.
 *
 * @cssproperty --news-forum-font-family - Font of the whole element (default: inherited).
 * @cssproperty --news-forum-font-size - Base font size (default: 1rem).
 * @cssproperty --news-forum-background - Background.
 * @cssproperty --news-forum-surface - Background of forms, inputs and opened posts.
 * @cssproperty --news-forum-text - Text color.
 * @cssproperty --news-forum-muted - Secondary text (authors, times, hints).
 * @cssproperty --news-forum-border - Borders and separators.
 * @cssproperty --news-forum-accent - Links, primary buttons, the upvoted arrow.
 * @cssproperty --news-forum-accent-text - Text on accent-colored buttons.
 * @cssproperty --news-forum-downvote - The downvoted arrow.
 * @cssproperty --news-forum-danger - Errors and delete buttons.
 * @cssproperty --news-forum-focus-ring - Keyboard focus outline color.
 * @cssproperty --news-forum-radius - Corner radius of buttons, inputs and panels.
 * @cssproperty --news-forum-gap - Base spacing unit.
 */
export class NewsForum extends LitElement {
  static override styles = styles;

  /** Base URL of the forum server, e.g. `https://forum.example.com`; default: the page's own origin. */
  @property() api = '';

  /** Order of the list: `hot` (votes and age), `new` or `top` (score). */
  @property() sort: PostSort = DEFAULT_POST_SORT;

  /** How many posts the list shows, 1 to 100. */
  @property({ type: Number }) limit: number = DEFAULT_PAGE_SIZE;

  /** Id of a post: show only that post and its comments (e.g. under an article). */
  @property() post = '';

  /** `light`, `dark`, or `auto` to follow the reader's system setting. */
  @property() theme: 'light' | 'dark' | 'auto' = 'auto';

  @state() private status: LiveStatus = 'connecting';
  @state() private liveProblem: string | undefined;
  @state() private user: User | undefined;
  @state() private opened: string | undefined;
  @state() private notice: { text: string; error: boolean } | undefined;
  @state() private announcement = '';
  @state() private now = Date.now();

  /** The state of forms and panels, which templates read through `Ui.view`. */
  readonly #view: ViewState = { panel: undefined, busy: undefined, formError: undefined, replyTo: undefined, confirming: undefined };
  #forum: NewsForumClient | undefined;
  /** The `api` the client was made for: undefined before starting, '' when `api` is not an http(s) URL. */
  #base: string | undefined;
  #listKey = '';
  #stopStatus: (() => void) | undefined;
  #clock: ReturnType<typeof setInterval> | undefined;
  #liveErrorReported = false;
  /** Where focus goes once it is rendered; see #focus. */
  #pendingFocus: string[] | undefined;
  /** The post to return focus to when going back to the list. */
  #returnTo: string | undefined;
  /** The session of a reader whose element was moved in the page (disconnected, then connected again). */
  #kept: { base: string; token: string; user: User } | undefined;
  #announceFrame = 0;

  readonly #host: LiveHost = {
    changed: () => this.requestUpdate(),
    announce: (text) => this.#announce(text),
    failed: (action, error, notice = true) => this.#report(action, error, notice),
  };
  readonly #votes = new Votes(() => this.requestUpdate());
  readonly #front = new FrontPage(this.#host, this.#votes);
  readonly #thread = new Thread(this.#host, this.#votes, () => this.user?.login);
  readonly #ui = this.#makeUi();

  override connectedCallback(): void {
    super.connectedCallback();
    this.#clock = setInterval(() => (this.now = Date.now()), CLOCK_MS);
    // Opens the client and its socket; later property changes go through willUpdate.
    this.#sync();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#clock);
    const token = this.#forum?.token;
    this.#kept = token && this.user && this.#base ? { base: this.#base, token, user: this.user } : undefined;
    this.#close();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('post')) this.opened = undefined;
    if (this.isConnected) this.#sync();
  }

  protected override render() {
    const ui = this.#ui;
    const theme = this.theme === 'light' || this.theme === 'dark' ? this.theme : 'auto';
    const { panel: open } = this.#view;
    const panel = open === 'sign-in' ? signInForm(ui) : open === 'sign-up' ? signUpForm(ui) : open === 'post' ? postForm(ui) : nothing;
    return html`<div part="base" class="base ${theme}">
      ${header(ui, this.status, this.liveProblem)}
      <p class="sr-only" role="status" aria-live="polite">${this.announcement}</p>
      ${this.notice
        ? html`<div part="notice" class="notice ${this.notice.error ? 'error' : ''}" role=${this.notice.error ? 'alert' : 'status'}>
            <span>${this.notice.text}</span>
            <button class="link" aria-label="Dismiss message" @click=${() => (this.notice = undefined)}>×</button>
          </div>`
        : nothing}
      ${panel}
      ${this.#base === ''
        ? html`<p class="placeholder">This forum cannot be shown: its address (the api attribute) is not an http(s) URL.</p>`
        : this.#thread.id
          ? threadView(ui)
          : listView(ui)}
    </div>`;
  }

  /** Starts, restarts or stops the client and the live views to match the properties. */
  #sync(): void {
    const base = resolveApi(this.api) ?? '';
    if (base !== this.#base) {
      this.#close();
      this.#base = base;
      if (!base) {
        const error = new NewsForumError('network_error', `Not an http(s) URL: ${this.api}`);
        return void emit(this, 'news-forum-error', { action: 'load', message: describeError(error), error });
      }
      const kept = this.#kept?.base === base ? this.#kept : undefined;
      this.#kept = undefined;
      const forum = (this.#forum = createClient({ baseUrl: base, ...(kept && { token: kept.token }) }));
      this.user = kept?.user;
      this.#stopStatus = forum.live.on('status', ({ status, error }) => this.#onStatus(status, error));
    }
    const forum = this.#forum;
    if (!forum) return;
    const sort = POST_SORTS.includes(this.sort) ? this.sort : DEFAULT_POST_SORT;
    const limit = Math.min(Math.max(Math.trunc(Number(this.limit)) || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    const listKey = this.post ? '' : `${sort}:${limit}`;
    if (listKey !== this.#listKey) {
      this.#listKey = listKey;
      if (listKey) this.#front.start(forum, sort, limit);
      else this.#front.stop();
    }
    const id = this.post || this.opened;
    if (id !== this.#thread.id) {
      this.#set({ replyTo: undefined, confirming: undefined });
      if (id) this.#thread.start(forum, id);
      else this.#thread.stop();
    }
  }

  #close(): void {
    this.#front.stop();
    this.#thread.stop();
    this.#stopStatus?.();
    this.#forum?.close();
    this.#forum = undefined;
    this.#base = undefined;
    this.#listKey = '';
    this.user = undefined;
    this.#votes.clear();
  }

  #onStatus(status: LiveStatus, error: NewsForumError | undefined): void {
    const was = this.status;
    this.status = status;
    if (status === 'live') {
      this.liveProblem = undefined;
      this.#liveErrorReported = false;
      if (was === 'reconnecting' || was === 'closed') {
        this.#announce('Connected again.');
        this.#resync();
      }
      return;
    }
    if (status === 'reconnecting' && was === 'live') this.#announce('Connection lost. Reconnecting…');
    if (!error) return;
    if (error.status === 401 && this.user) return this.#sessionEnded();
    this.liveProblem = describeError(error);
    if (!this.#liveErrorReported) {
      this.#liveErrorReported = true;
      emit(this, 'news-forum-error', { action: 'live', message: this.liveProblem, error });
    }
  }

  /** After a reconnect or a sign-in: what the stream cannot tell (the reader's votes, a post outside the list). */
  #resync(): void {
    const forum = this.#forum;
    if (!forum) return;
    if (this.#listKey && this.user) this.#front.syncVotes(forum, ...this.#listParams());
    this.#thread.load(forum);
  }

  #listParams(): [PostSort, number] {
    const [sort, limit] = this.#listKey.split(':');
    return [sort as PostSort, Number(limit)];
  }

  /** Reports a failure: the `news-forum-error` event, a notice when asked, and signing out when the session is gone. */
  #report(action: ErrorAction, error: NewsForumError, notice: boolean): void {
    const message = describeError(error);
    emit(this, 'news-forum-error', { action, message, error });
    if (error.status === 401 && this.user) return this.#sessionEnded();
    if (notice) this.notice = { text: message, error: true };
  }

  #sessionEnded(): void {
    const login = this.user?.login ?? '';
    this.#signedOut();
    this.notice = { text: 'Your session has ended (the account may have been deleted). Please sign in again.', error: true };
    emit(this, 'news-forum-logout', { login, reason: 'session-ended' });
  }

  #signedOut(): void {
    this.#forum?.logout();
    this.user = undefined;
    this.#set({ panel: undefined, replyTo: undefined, confirming: undefined });
    this.#votes.clear();
  }

  #signedIn(user: User, created: boolean): void {
    this.user = user;
    this.#set({ panel: undefined });
    this.notice = undefined;
    this.#resync();
    emit(this, 'news-forum-login', { user, created });
    this.#focus('.account button');
  }

  /** Runs a form's request: busy state, the form's own error message, then `done`. */
  async #submit<T>(key: FormKey, action: ErrorAction, event: SubmitEvent, run: (form: FormData) => Promise<Result<T>>, done: (data: T, form: HTMLFormElement) => void) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    if (this.#view.busy) return;
    this.#set({ busy: key, formError: undefined });
    const { data, error } = await run(new FormData(form));
    this.#set({ busy: undefined });
    if (error) {
      this.#set({ formError: { key, message: describeError(error) } });
      return this.#report(action, error, false);
    }
    form.reset();
    done(data as T, form);
  }

  async #vote(post: LivePost, vote: Vote): Promise<void> {
    const forum = this.#forum;
    if (!forum || this.#votes.sending(post.id)) return;
    if (!this.user) return this.#ui.setPanel('sign-in', 'Sign in to vote.');
    const session = this.#votes.session;
    const { data, error } = await this.#votes.cast(forum, post, vote);
    // Signed out while it was on its way: neither a notice nor an event for the next reader.
    if (session !== this.#votes.session) return;
    if (error) return this.#report('vote', error, true);
    emit(this, 'news-forum-vote', { postId: post.id, vote: data.myVote ?? vote, post: data });
  }

  async #deleteComment(comment: Comment): Promise<void> {
    const forum = this.#forum;
    if (!forum) return;
    this.#set({ confirming: undefined });
    this.#thread.hidden.add(comment.id);
    // Its controls go with it: focus the parent's Reply button, or the comment form.
    const form = '.discussion > .comment-form textarea';
    if (comment.parentId) this.#focus(`.comment[data-id="${CSS.escape(comment.parentId)}"] > .actions > .reply`, form);
    else this.#focus(form);
    const { error } = await forum.comments.delete(comment.postId, comment.id);
    this.#thread.hidden.delete(comment.id);
    this.requestUpdate();
    if (error && error.status !== 404) return this.#report('delete', error, true);
    this.#announce('Comment deleted.');
  }

  async #deletePost(post: LivePost): Promise<void> {
    const forum = this.#forum;
    if (!forum) return;
    this.#set({ confirming: undefined });
    const { error } = await forum.posts.delete(post.id);
    if (error && error.status !== 404) return this.#report('delete', error, true);
    this.notice = { text: 'Post deleted.', error: false };
    this.#returnTo = undefined;
    this.#ui.back();
    // Pinned, the view stays and says the post is gone.
    if (this.post) this.#focus('.thread > .placeholder');
  }

  /**
   * Says `text` through the live region: emptied first, then set on the next
   * frame, so that a repeated message is a change screen readers announce.
   */
  #announce(text: string): void {
    this.announcement = '';
    cancelAnimationFrame(this.#announceFrame);
    this.#announceFrame = requestAnimationFrame(() => (this.announcement = text));
  }

  #set(patch: Partial<ViewState>): void {
    Object.assign(this.#view, patch);
    this.requestUpdate();
  }

  /** Focuses the first match of the first `selectors` that matches, as soon as one is rendered (views may still be loading). */
  #focus(...selectors: string[]): void {
    this.#pendingFocus = selectors;
    this.requestUpdate();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    let target: HTMLElement | null | undefined;
    for (const selector of this.#pendingFocus ?? []) if ((target = this.renderRoot.querySelector<HTMLElement>(selector))) break;
    if (target) {
      this.#pendingFocus = undefined;
      target.focus();
    }
  }

  #makeUi(): Ui {
    const el = this;
    const forum = () => el.#forum!;
    return {
      get user() {
        return el.user;
      },
      votes: el.#votes,
      front: el.#front,
      thread: el.#thread,
      get sort() {
        return el.#listParams()[0];
      },
      get pinned() {
        return Boolean(el.post);
      },
      view: el.#view,
      get now() {
        return el.now;
      },
      canDelete: (author) => Boolean(el.user && (el.user.login === author || el.user.scopes.includes('delete'))),
      setPanel(panel, reason) {
        const was = el.#view.panel;
        el.#set({ panel, formError: undefined });
        el.notice = reason ? { text: reason, error: false } : undefined;
        if (panel) el.#focus('.panel input');
        // Closed (Cancel): back to the button that opens it.
        else if (was) el.#focus(`.account [data-panel="${was}"]`);
      },
      setSort: (sort) => (el.sort = sort),
      open(id) {
        el.#returnTo = id;
        el.opened = id;
        el.#focus('#thread-title');
      },
      back() {
        el.opened = undefined;
        const id = el.#returnTo;
        el.#focus(id ? `.post[data-id="${CSS.escape(id)}"] .comments-link` : '.sort[aria-pressed="true"]');
      },
      reload: () => {
        el.#listKey = '';
        el.requestUpdate();
      },
      vote: (post, vote) => void el.#vote(post, vote),
      confirm(key) {
        el.#set({ confirming: key });
        if (key) el.#focus(`[data-confirm="${CSS.escape(key)}"]`);
      },
      deletePost: (post) => void el.#deletePost(post),
      deleteComment: (comment) => void el.#deleteComment(comment),
      setReplyTo(id) {
        const was = el.#view.replyTo;
        el.#set({ replyTo: id, formError: undefined });
        if (id) el.#focus(`.comment[data-id="${CSS.escape(id)}"] textarea`);
        // The reply form closed (Cancel): back to its Reply button.
        else if (was) el.#focus(`.comment[data-id="${CSS.escape(was)}"] > .actions > .reply`);
      },
      showWaiting() {
        const first = el.#front.showWaiting();
        el.#focus(first ? `.post[data-id="${CSS.escape(first.id)}"] [part="title"]` : '.sort[aria-pressed="true"]');
      },
      signIn: (event) =>
        void el.#submit('sign-in', 'sign-in', event, (form) => forum().login(String(form.get('login')), String(form.get('password'))), (session) =>
          el.#signedIn(session.user, false),
        ),
      signUp: (event) =>
        void el.#submit(
          'sign-up',
          'sign-up',
          event,
          async (form) => {
            const login = String(form.get('login'));
            const password = String(form.get('password'));
            const displayName = String(form.get('displayName') ?? '').trim();
            const created = await forum().users.create(login, { password, ...(displayName && { displayName }) });
            return created.error ? created : forum().login(login, password);
          },
          (session) => el.#signedIn(session.user, true),
        ),
      signOut() {
        const login = el.user?.login ?? '';
        el.#signedOut();
        el.notice = { text: 'Signed out.', error: false };
        emit(el, 'news-forum-logout', { login, reason: 'user' });
      },
      submitPost: (event) =>
        void el.#submit(
          'post',
          'post',
          event,
          (form) => {
            const url = String(form.get('url') ?? '').trim();
            const text = String(form.get('text') ?? '').trim();
            return forum().posts.create({ title: String(form.get('title')).trim(), ...(url && { url }), ...(text && { text }) });
          },
          (post) => {
            el.#set({ panel: undefined });
            el.#votes.learn([post]);
            el.#front.reveal(post.id);
            emit(el, 'news-forum-post-created', { post });
            if (!el.post) el.#ui.open(post.id);
          },
        ),
      submitComment: (event, parentId) =>
        void el.#submit(
          parentId ? `reply:${parentId}` : 'comment',
          'comment',
          event,
          (form) => forum().comments.create(el.#thread.id!, { text: String(form.get('text')), ...(parentId && { parentId }) }),
          (comment) => {
            el.#set({ replyTo: undefined });
            // A reply's form goes away: focus the Reply button of the comment answered.
            if (parentId) el.#focus(`.comment[data-id="${CSS.escape(parentId)}"] > .actions > .reply`);
            el.#announce(parentId ? 'Reply posted.' : 'Comment posted.');
            emit(el, 'news-forum-comment-created', { comment });
          },
        ),
      showMoreComments() {
        void el.#thread.showMore(forum()).then((first) => {
          // The button goes once everything is shown: focus the first comment it brought.
          if (first && !el.#thread.more) el.#focus(`.comment[data-id="${CSS.escape(first.id)}"]`);
        });
      },
      retryThread() {
        el.#thread.retry(forum());
        el.#focus('#thread-title', '.retry');
      },
    };
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'news-forum': NewsForum;
  }
}
