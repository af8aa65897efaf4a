import {
  DEFAULT_PAGE_SIZE,
  DEFAULT_POST_SORT,
  type LivePost,
  MAX_PAGE_SIZE,
  type NewsForumClient,
  type NewsForumError,
  POST_SORTS,
  type PostListQuery,
  type PostSort,
} from '@news-forum/sdk';
import { count } from '../format.js';
import { Controller } from './controller.js';

/**
 * Posts the live view holds beyond the list's `limit`: as many new posts can
 * wait for the reader before the ones shown start to go. A new post enters
 * the ranked view at the top and pushes the last post out of it; without
 * these the list lost a post for each one waiting.
 */
const WAITING_ROOM = 10;

/**
 * The ranked list: the first page by REST (it brings the reader's votes and
 * shows up even where WebSockets are blocked), kept current by a live view.
 * Posts created while the reader looks at the list are counted, not
 * slipped in under them, until the reader asks to see them; older posts that
 * climb into the list take their place in it, as any reordering does.
 */
export class FrontPageController extends Controller {
  /** The posts shown, ranked; undefined until the first list arrives. */
  posts: readonly LivePost[] | undefined;
  /** How many posts arrived that are not shown yet. */
  waiting = 0;
  /** Why the list could not be loaded, if it could not. */
  error: NewsForumError | undefined;
  #latest: readonly LivePost[] = [];
  /** The posts the reader has been shown or asked to see, since the list was first loaded. */
  #shown: Set<string> | undefined;
  /** When the list was first loaded (ms since the epoch): posts created after it are new. */
  #loadedAt = 0;
  #abort: AbortController | undefined;
  /** The client and the query of the running list. */
  #forum: NewsForumClient | undefined;
  #query: Required<Pick<PostListQuery, 'sort' | 'limit'>> | undefined;

  /** The order shown: the `sort` attribute, when it is one. */
  get sort(): PostSort {
    return POST_SORTS.includes(this.host.sort) ? this.host.sort : DEFAULT_POST_SORT;
  }

  /** How many posts the list shows (the `limit` attribute, within bounds). */
  get limit(): number {
    return Math.min(Math.max(Math.trunc(Number(this.host.limit)) || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  }

  setSort(sort: PostSort): void {
    this.host.sort = sort;
  }

  hostUpdate(): void {
    const { forum } = this.ui.session;
    const { sort, limit } = this;
    const running = this.#query;
    const wanted = forum && !this.ui.view.pinned;
    if (wanted ? forum === this.#forum && running?.sort === sort && running.limit === limit : !running) return;
    this.stop();
    if (!wanted) return;
    this.#forum = forum;
    this.#query = { sort, limit };
    this.#abort = new AbortController();
    this.load();
    const held = Math.min(limit + WAITING_ROOM, MAX_PAGE_SIZE);
    forum.live.posts.watch({ sort, limit: held, signal: this.#abort.signal }).subscribe(
      (items) => this.#take(items),
      (error) => this.ui.session.report('live', error, true),
    );
  }

  hostDisconnected(): void {
    this.stop();
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = this.#forum = this.#query = undefined;
    this.posts = this.#shown = this.error = undefined;
    this.#latest = [];
    this.waiting = 0;
  }

  /** Starts the list again ("Try again"). */
  reload(): void {
    this.stop();
    this.changed();
  }

  /** Loads the first page (on starting; for the reader's votes after signing in, or reconnecting). */
  load(): void {
    const forum = this.#forum;
    const abort = this.#abort;
    if (!forum || !abort || !this.#query) return;
    const signal = this.ui.session.signal(abort.signal);
    void forum.posts.list(this.#query, { signal }).then(({ data, error }) => {
      if (signal.aborted) return;
      this.error = error;
      if (error) {
        // Shown in place of the list (when there is no list yet).
        this.ui.session.report('load', error, false);
        return this.changed();
      }
      this.ui.votes.learn(data.items);
      if (!this.#shown) this.#take(data.items);
    });
  }

  /** Shows the posts that were waiting, and focuses the first of them (or the order, if none). */
  showWaiting(): void {
    const first = this.#latest.find((post) => this.#waits(post));
    for (const post of this.#latest) this.#shown?.add(post.id);
    this.#take(this.#latest);
    this.ui.focus.request(first ? `title:${first.id}` : 'sort');
  }

  /** Shows a post as soon as it is in the list, without counting it as waiting (the reader's own). */
  reveal(id: string): void {
    this.#shown?.add(id);
    this.#take(this.#latest);
  }

  #take(items: readonly LivePost[]): void {
    this.#latest = items;
    this.error = undefined;
    if (!this.#shown) {
      this.#shown = new Set(items.map((post) => post.id));
      this.#loadedAt = Date.now();
    }
    const before = this.waiting;
    const limit = this.#query?.limit ?? this.limit;
    // The live view holds more than the list shows (WAITING_ROOM); the REST page holds `limit`.
    this.posts = items.filter((post) => !this.#waits(post)).slice(0, limit);
    this.waiting = items.filter((post) => this.#waits(post)).length;
    if (this.waiting > before) this.ui.notices.announce(`${count(this.waiting, 'new post')} waiting. Use the "Show" button to see them.`);
    this.changed();
  }

  /** Whether `post` waits for the reader to ask for it: created since the list was loaded, and not yet shown. */
  #waits(post: LivePost): boolean {
    return !this.#shown?.has(post.id) && Date.parse(post.createdAt) > this.#loadedAt;
  }
}
