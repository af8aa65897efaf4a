import { type CallOptions, type Comment, type NewsForumClient, type NewsForumError, normalisePageUrl, type Result } from '@news-forum/sdk';
import { Controller } from './controller.js';

/** The page the element discusses: the `page` attribute, else the canonical link, else the page's address; '' when that is no URL the forum takes. */
function pageUrlOf(page: string): string {
  const canonical = document.querySelector<HTMLLinkElement>('link[rel~="canonical"]')?.href;
  try {
    return normalisePageUrl(page ? new URL(page, document.baseURI).href : canonical || location.href) ?? '';
  } catch {
    return '';
  }
}

/**
 * A page's discussion (the `page` attribute): finds the page's post, which
 * the view then shows as if pinned with `post`; until there is one, waits
 * for it on the live stream (someone's first comment); and sends comments
 * through the page, which creates its post on the first.
 */
export class PageController extends Controller {
  /** The normalised URL of the page, when the element discusses one ('' when its address cannot be used). */
  url: string | null = null;
  /** The page's post, once there is one. */
  postId: string | undefined;
  /** `none`: nobody has commented yet; `unusable`: the page's address is not one the forum takes. */
  state: 'looking' | 'none' | 'found' | 'error' | 'unusable' = 'looking';
  error: NewsForumError | undefined;
  #forum: NewsForumClient | undefined;
  #abort: AbortController | undefined;

  /** Whether the element shows a page's discussion (it has a `page` attribute). */
  get active(): boolean {
    return typeof this.host.page === 'string';
  }

  hostUpdate(): void {
    const url = this.active ? pageUrlOf(this.host.page as string) : null;
    const { forum } = this.ui.session;
    if (url === this.url && forum === this.#forum) return;
    this.#abort?.abort();
    if (url === '' && this.url !== '') this.ui.session.refuse('page', this.host.page || location.href);
    this.url = url;
    this.#forum = forum;
    this.postId = this.error = undefined;
    this.state = url === '' ? 'unusable' : 'looking';
    if (url && forum) this.#look(forum, url);
  }

  hostDisconnected(): void {
    this.#abort?.abort();
    this.#forum = undefined;
  }

  /** Looks up the page's post again ("Try again"). */
  retry(): void {
    this.#forum = undefined;
    this.changed();
  }

  /** Comments on the page (creating its post on the first comment), answering as `forum.comments.create` does. */
  async comment(forum: NewsForumClient, text: string, parentId: string | undefined, options: CallOptions): Promise<Result<Comment>> {
    const url = this.url as string;
    const title = this.host.titleText || document.title || url;
    const result = await forum.pages.comment({ url, title, text, ...(parentId && { parentId }) }, options);
    if (result.error) return result;
    this.#found(result.data.post.id);
    return { ...result, data: result.data.comment };
  }

  #look(forum: NewsForumClient, url: string): void {
    const abort = new AbortController();
    this.#abort = abort;
    // Someone's first comment creates the post: it arrives on the posts stream.
    const stop = forum.live.posts.on('change', ({ new_val }) => {
      if (new_val?.pageUrl === url) this.#found(new_val.id);
    });
    abort.signal.addEventListener('abort', stop, { once: true });
    void forum.pages.get(url, { signal: this.ui.session.signal(abort.signal) }).then(({ data, error }) => {
      if (abort.signal.aborted || this.postId) return;
      if (data) return this.#found(data.id);
      this.state = error.status === 404 ? 'none' : 'error';
      this.error = error.status === 404 ? undefined : error;
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
