import {
  type CallOptions,
  type Comment,
  NetworkError,
  type NewsForumClient,
  type NewsForumError,
  normalisePageUrl,
  type Result,
} from '@news-forum/sdk';
import { Controller } from './controller.js';

/** The problem the forum answers, to readers, for a page whose discussion a moderator hid. */
const HIDDEN = 'urn:news-forum:problem:discussion-hidden';

/** The page the element discusses: the `page` attribute, else the canonical link, else the page's address; '' when that is no URL the forum takes. */
function pageUrlOf(page: string): string {
  const canonical = document.querySelector<HTMLLinkElement>('link[rel~="canonical"]')?.href;
  try {
    return normalisePageUrl(page ? new URL(page, document.baseURI).href : canonical || location.href) ?? '';
  } catch {
    return '';
  }
}

/** The Navigation API, where the browser has it: it tells of `history.pushState` too. */
const navigation = (globalThis as { navigation?: EventTarget }).navigation;
/** What a single-page site's change of address fires. */
const NAVIGATED = ['popstate', 'hashchange'] as const;

/**
 * A page's discussion (the `page` attribute): finds the page's post, which
 * the view then shows as if pinned with `post`; until there is one, waits
 * for it on the live stream (someone's first comment); and sends comments
 * through the page, which creates its post on the first. When the post goes
 * (deleted, or hidden by a moderator), asks the forum again which it was.
 * With an empty `page`, follows the page's address as a single-page site
 * changes it.
 */
export class PageController extends Controller {
  /** The normalised URL of the page, when the element discusses one ('' when its address cannot be used). */
  url: string | null = null;
  /** The page's post, once there is one. */
  postId: string | undefined;
  /**
   * `none`: nobody has commented yet; `closed`: a moderator hid the discussion (readers may not comment);
   * `unusable`: the page's address is not one the forum takes.
   */
  state: 'looking' | 'none' | 'found' | 'closed' | 'error' | 'unusable' = 'looking';
  error: NewsForumError | undefined;
  #forum: NewsForumClient | undefined;
  #abort: AbortController | undefined;
  /** An empty `page` names this page's address, which a single-page site changes without reloading. */
  readonly #navigated = () => {
    if (this.host.page === '') this.changed();
  };

  /** Whether the element shows a page's discussion (it has a `page` attribute). */
  get active(): boolean {
    return typeof this.host.page === 'string';
  }

  override hostConnected(): void {
    for (const type of NAVIGATED) window.addEventListener(type, this.#navigated);
    navigation?.addEventListener('navigatesuccess', this.#navigated);
  }

  hostUpdate(): void {
    this.#follow();
  }

  hostDisconnected(): void {
    for (const type of NAVIGATED) window.removeEventListener(type, this.#navigated);
    navigation?.removeEventListener('navigatesuccess', this.#navigated);
    this.#abort?.abort();
    this.#forum = undefined;
  }

  /**
   * Asks again what became of the page's post, keeping the view until the answer: after signing in or out (a
   * moderator sees a hidden one, which closes to readers) and after reconnecting (what the stream did not tell).
   */
  load(): void {
    this.#lookUp();
  }

  /** Looks up the page's post again ("Try again"). */
  retry(): void {
    this.#forum = undefined;
    this.changed();
  }

  /** Comments on the page (creating its post on the first comment), answering as `forum.comments.create` does. */
  async comment(forum: NewsForumClient, text: string, parentId: string | undefined, options: CallOptions): Promise<Result<Comment>> {
    // A comment is for the page the reader is on now: a `history.pushState` may have changed it unheard (no
    // Navigation API). A reply belongs to the discussion of the comment it answers, the one shown.
    if (!parentId && this.#follow()) this.changed();
    const url = this.url;
    if (!url) {
      // Not sent: the element shows that the address is unusable, as it said (SessionController.refuse).
      const error = new NetworkError("This page's address is not one the forum takes", { aborted: true });
      return { data: undefined, error, response: undefined };
    }
    const title = this.host.titleText || document.title || url;
    const result = await forum.pages.comment({ url, title, text, ...(parentId && { parentId }) }, options);
    if (result.error) {
      // Hidden while the reader wrote (its going unheard): the page says so, and what they wrote is kept.
      if (result.error.problem?.type === HIDDEN && url === this.url) this.#lookUp();
      return result;
    }
    if (url === this.url) this.#found(result.data.post.id);
    return { ...result, data: result.data.comment };
  }

  /** Follows the `page` attribute (or the page's address) and the session's client: whether that changed anything. */
  #follow(): boolean {
    const url = this.active ? pageUrlOf(this.host.page as string) : null;
    const { forum } = this.ui.session;
    if (url === this.url && forum === this.#forum) return false;
    this.#abort?.abort();
    if (url === '' && this.url !== '') this.ui.session.refuse('page', this.host.page || location.href);
    this.url = url;
    this.#forum = forum;
    this.postId = this.error = undefined;
    this.state = url === '' ? 'unusable' : 'looking';
    if (url && forum) this.#look(forum, url);
    return true;
  }

  #look(forum: NewsForumClient, url: string): void {
    const abort = new AbortController();
    this.#abort = abort;
    const stop = forum.live.posts.on('change', ({ old_val: before, new_val: after }) => {
      // Someone's first comment creates the post: it arrives on the posts stream.
      if (after?.pageUrl === url) this.#found(after.id);
      // The post went: deleted (a first comment may start the discussion again), or hidden from this reader.
      else if (!after && before && before.id === this.postId) {
        // Read before the thread's forms go with it.
        this.ui.parts.loaded?.forms.keep();
        this.#lookUp();
      }
    });
    abort.signal.addEventListener('abort', stop, { once: true });
    this.#lookUp();
  }

  /**
   * Asks the forum for the page's post: there is none yet, or a moderator hid it (a moderator gets it still).
   * The view stays as it is until the answer; what the reader was writing is kept for the form it brings
   * (the first comment's), or shown where there is none (closed).
   */
  #lookUp(): void {
    const { url } = this;
    const forum = this.#forum;
    const abort = this.#abort;
    if (!url || !forum || !abort) return;
    const focused = this.host.matches(':focus-within');
    const asked = this.postId;
    void forum.pages.get(url, { signal: this.ui.session.signal(abort.signal) }).then(({ data, error }) => {
      // Found meanwhile (someone's first comment, on the stream): this answer is older. Cut short by signing
      // out: the look of the new session answers.
      if (abort.signal.aborted || this.postId !== asked || error?.code === 'aborted') return;
      if (data) return this.#found(data.id);
      const next = error.problem?.type === HIDDEN ? 'closed' : error.status === 404 ? 'none' : 'error';
      // A failed second look leaves the view as it was.
      if (next === this.state || (next === 'error' && this.state !== 'looking')) return;
      // The view goes, and its forms: what the reader was writing is kept, for the first comment's form or shown (closed);
      // a form's error was the old view's.
      const forms = this.ui.parts.loaded?.forms;
      forms?.keep();
      forms?.set({ error: undefined });
      this.postId = undefined;
      this.state = next;
      this.error = next === 'error' ? error : undefined;
      // Focus was in what went: to the page's form, or to why there is none.
      if (focused && next !== 'error') this.ui.focus.request(next === 'closed' ? 'page-closed' : 'comment-form');
      this.changed();
    });
  }

  #found(id: string): void {
    if (this.postId === id) return;
    this.postId = id;
    this.state = 'found';
    this.changed();
  }
}
