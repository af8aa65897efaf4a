import type { Comment, LivePost, NewsForumClient, NewsForumError, PagedLiveView } from '@news-forum/sdk';
import { count } from '../format.js';
import type { Ui } from '../ui.js';
import { Controller, type ForumElement } from './controller.js';
import type { FormsController } from './forms-controller.js';

/**
 * The post shown with its comments (see ViewController), both live. The comments
 * view brings the first 200 and every later one; "Show more comments" pages
 * in those in between, through the same view.
 */
export class ThreadController extends Controller {
  /** Id of the post shown, if any. */
  id: string | undefined;
  post: LivePost | undefined;
  /** `gone`: deleted, or never existed; `error`: the post could not be loaded. */
  state: 'loading' | 'ready' | 'gone' | 'error' = 'loading';
  /** Why the post could not be loaded (state `error`). */
  error: NewsForumError | undefined;
  /** Oldest first; undefined until loaded. */
  comments: readonly Comment[] | undefined;
  /** Whether a "Show more comments" request is on its way. */
  loadingMore = false;
  /** Comments being deleted, hidden until the server answers. */
  readonly hidden = new Set<string>();
  readonly #forms: FormsController;
  #forum: NewsForumClient | undefined;
  #view: PagedLiveView<Comment> | undefined;
  #abort: AbortController | undefined;
  /** The version the post had when it went (0 when unknown): only a newer one brings it back, as a moderator's restore does. */
  #goneAt: number | undefined;

  constructor(host: ForumElement, ui: Ui, forms: FormsController) {
    super(host, ui);
    this.#forms = forms;
  }

  /** Whether comments exist that are not shown (beyond the first 200). */
  get more(): boolean {
    const { post, comments } = this;
    return Boolean(post && comments && this.#view?.hasMore && post.commentCount > comments.length);
  }

  hostUpdate(): void {
    const { forum } = this.ui.session;
    const id = forum && this.ui.view.post;
    if (id === this.id && forum === this.#forum) return;
    this.#forms.set({ replyTo: undefined, confirming: undefined });
    this.stop();
    if (forum && id) this.#start(forum, id);
  }

  hostDisconnected(): void {
    this.stop();
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = this.#view = this.#forum = undefined;
    this.id = this.post = this.comments = this.error = this.#goneAt = undefined;
    this.state = 'loading';
    this.loadingMore = false;
    this.hidden.clear();
  }

  /** Fetches the post (with the reader's vote): on opening, after signing in or out, after reconnecting. */
  load(): void {
    const { id } = this;
    const forum = this.#forum;
    const abort = this.#abort;
    if (!id || !forum || !abort) return;
    const signal = this.ui.session.signal(abort.signal);
    void forum.posts.get(id, { signal }).then(({ data, error }) => {
      if (signal.aborted) return;
      if (error?.status === 404) return this.#gone();
      if (error) {
        // Shown in place of the post when there is none yet, with "Try again".
        if (!this.post) {
          this.state = 'error';
          this.error = error;
        }
        this.ui.session.report('load', error, Boolean(this.post));
        return this.changed();
      }
      this.ui.votes.learn([data]);
      this.#take(data);
    });
  }

  /** Loads the post again after it failed to load ("Try again"). */
  retry(): void {
    this.ui.focus.request('thread-title', 'retry');
    if (this.state !== 'error') return;
    this.state = 'loading';
    this.error = undefined;
    this.changed();
    this.load();
  }

  /** Pages in comments not shown yet; focuses the first it brought once the button goes. */
  async showMore(): Promise<void> {
    const view = this.#view;
    const abort = this.#abort;
    if (!view || !abort || this.loadingMore) return;
    this.loadingMore = true;
    this.changed();
    const signal = this.ui.session.signal(abort.signal);
    const { data, error } = await view.loadMore({ signal });
    // Closed meanwhile: nothing of it is left to update.
    if (abort.signal.aborted) return;
    this.loadingMore = false;
    this.changed();
    // Signed out meanwhile: the reader may ask again.
    if (signal.aborted) return;
    if (error) return this.ui.session.report('load', error, true);
    const [first] = data;
    if (!first) return;
    this.ui.notices.announce(`${count(data.length, 'more comment')} shown.`);
    if (!this.more) this.ui.focus.request(`comment:${first.id}`);
  }

  async deleteComment(comment: Comment): Promise<void> {
    const forum = this.#forum;
    if (!forum) return;
    this.#forms.set({ confirming: undefined });
    this.hidden.add(comment.id);
    // Its controls go with it: focus the parent's Reply button, or the comment form.
    if (comment.parentId) this.ui.focus.request(`reply:${comment.parentId}`, 'comment-form');
    else this.ui.focus.request('comment-form');
    const { error } = await forum.comments.delete(comment.postId, comment.id, { signal: this.ui.session.signal() });
    this.hidden.delete(comment.id);
    this.changed();
    if (error?.code === 'aborted') return;
    if (error && error.status !== 404) return this.ui.session.report('delete', error, true);
    this.ui.notices.announce('Comment deleted.');
  }

  async deletePost(post: LivePost): Promise<void> {
    const forum = this.#forum;
    if (!forum) return;
    this.#forms.set({ confirming: undefined });
    const { error } = await forum.posts.delete(post.id, { signal: this.ui.session.signal() });
    if (error?.code === 'aborted') return;
    if (error && error.status !== 404) return this.ui.session.report('delete', error, true);
    this.ui.notices.show('Post deleted.');
    this.ui.view.back(true);
    // Pinned, the view stays and says the post is gone.
    if (this.ui.view.pinned) this.ui.focus.request('thread-placeholder');
  }

  #start(forum: NewsForumClient, id: string): void {
    this.id = id;
    this.#forum = forum;
    const abort = new AbortController();
    this.#abort = abort;
    this.load();
    const stopChanges = forum.live.posts.on('change', ({ old_val: before, new_val: after }) => {
      if (after?.id === id) this.#take(after);
      else if (!after && before?.id === id) this.#gone(before.version);
    });
    abort.signal.addEventListener('abort', stopChanges, { once: true });
    this.#watchComments(forum, id, abort.signal);
  }

  #watchComments(forum: NewsForumClient, id: string, signal: AbortSignal): void {
    const view = forum.live.comments(id).watch({ signal });
    this.#view = view;
    view.subscribe(
      (items) => this.#takeComments(items),
      (error) => (error.status === 404 ? this.#gone() : this.ui.session.report('live', error, true)),
    );
  }

  #take(post: LivePost): void {
    const known = this.post?.version ?? this.#goneAt;
    if (known !== undefined && known >= post.version) return;
    const back = this.state === 'gone';
    this.post = post;
    this.#goneAt = undefined;
    this.state = 'ready';
    this.error = undefined;
    this.changed();
    // Hiding the post ended its comments for readers (404): restored, they are watched again.
    const forum = this.#forum;
    const signal = this.#abort?.signal;
    if (back && this.#view?.closed && forum && signal && !signal.aborted) this.#watchComments(forum, post.id, signal);
  }

  #gone(version = 0): void {
    this.#goneAt = Math.max(version, this.post?.version ?? 0, this.#goneAt ?? 0);
    this.state = 'gone';
    this.post = undefined;
    this.changed();
  }

  #takeComments(items: readonly Comment[]): void {
    const known = this.comments && new Set(this.comments.map((comment) => comment.id));
    this.comments = items;
    this.changed();
    // Comments paged in are announced once the page is in, not as arrivals.
    if (!known || this.loadingMore) return;
    const me = this.ui.session.user?.login;
    const arrived = items.filter((comment) => !known.has(comment.id) && comment.author !== me);
    if (arrived.length === 1) this.ui.notices.announce(`New comment by ${arrived[0]?.author}`);
    else if (arrived.length > 1) this.ui.notices.announce(count(arrived.length, 'new comment'));
  }
}
