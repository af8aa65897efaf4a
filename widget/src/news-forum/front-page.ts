import type { LivePost, LiveView, NewsForumClient, NewsForumError, PostSort } from '@news-forum/sdk';
import type { ErrorAction } from '../events/events.js';
import { count } from './format.js';
import type { Votes } from './votes.js';

/** What the live parts of the widget need from the element. */
export interface LiveHost {
  changed(): void;
  announce(text: string): void;
  /** Reports a failure: an event, and a notice unless the view shows it itself (`notice` false). */
  failed(action: ErrorAction, error: NewsForumError, notice?: boolean): void;
}

/**
 * The ranked list: the first page by REST (it brings the reader's votes and
 * shows up even where WebSockets are blocked), kept current by a live view.
 * Posts that arrive while the reader looks at the list are counted, not
 * slipped in under them, until the reader asks to see them.
 */
export class FrontPage {
  /** The posts shown, ranked; undefined until the first list arrives. */
  posts: readonly LivePost[] | undefined;
  /** How many posts arrived that are not shown yet. */
  waiting = 0;
  /** Why the list could not be loaded, if it could not. */
  error: NewsForumError | undefined;
  #latest: readonly LivePost[] = [];
  #shown: Set<string> | undefined;
  #abort: AbortController | undefined;
  readonly #host: LiveHost;
  readonly #votes: Votes;

  constructor(host: LiveHost, votes: Votes) {
    this.#host = host;
    this.#votes = votes;
  }

  start(forum: NewsForumClient, sort: PostSort, limit: number): void {
    this.stop();
    const abort = (this.#abort = new AbortController());
    void this.#load(forum, sort, limit, abort.signal);
    const view: LiveView<LivePost> = forum.live.posts.watch({ sort, limit, signal: abort.signal });
    view.subscribe(
      (items) => this.#take(items),
      (error) => this.#host.failed('live', error),
    );
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    this.posts = undefined;
    this.#shown = undefined;
    this.#latest = [];
    this.waiting = 0;
    this.error = undefined;
  }

  /** Reloads the first page for the reader's votes (after signing in, or reconnecting). */
  syncVotes(forum: NewsForumClient, sort: PostSort, limit: number): void {
    if (this.#abort) void this.#load(forum, sort, limit, this.#abort.signal);
  }

  /** Shows the posts that were waiting; returns the first of them, in order. */
  showWaiting(): LivePost | undefined {
    const first = this.#latest.find((post) => !this.#shown?.has(post.id));
    for (const post of this.#latest) this.#shown?.add(post.id);
    this.#take(this.#latest);
    return first;
  }

  /** Shows a post as soon as it is in the list, without counting it as waiting (the reader's own). */
  reveal(id: string): void {
    this.#shown?.add(id);
    this.#take(this.#latest);
  }

  async #load(forum: NewsForumClient, sort: PostSort, limit: number, signal: AbortSignal): Promise<void> {
    const session = this.#votes.session;
    const { data, error } = await forum.posts.list({ sort, limit }, { signal });
    if (signal.aborted) return;
    this.error = error;
    if (error) {
      // Shown in place of the list (when there is no list yet).
      this.#host.failed('load', error, false);
      return this.#host.changed();
    }
    this.#votes.learn(data.items, session);
    if (!this.#shown) this.#take(data.items);
  }

  #take(items: readonly LivePost[]): void {
    this.#latest = items;
    this.error = undefined;
    const shown = (this.#shown ??= new Set(items.map((post) => post.id)));
    const before = this.waiting;
    this.posts = items.filter((post) => shown.has(post.id));
    this.waiting = items.length - this.posts.length;
    if (this.waiting > before) this.#host.announce(`${count(this.waiting, 'new post')} waiting. Use the "Show" button to see them.`);
    this.#host.changed();
  }
}
