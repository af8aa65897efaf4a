import type { Comment, LivePost, NewsForumClient, NewsForumError } from '@news-forum/sdk';
import { count } from './format.js';
import type { LiveHost } from './front-page.js';
import type { Votes } from './votes.js';

/** Page size of "Show more comments" requests (the API's largest). */
const PAGE = 100;

/** Oldest first, as the API lists comments. */
const oldestFirst = (a: Comment, b: Comment) =>
  Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * One post and its comments, both live. The live view brings the first 200
 * comments and every later one; "Show more comments" pages the API for those
 * in between, merged in by id (the newer version wins).
 */
export class Thread {
  /** Id of the post shown, if any. */
  id: string | undefined;
  post: LivePost | undefined;
  /** `gone`: deleted, or never existed; `error`: the post could not be loaded. */
  state: 'loading' | 'ready' | 'gone' | 'error' = 'loading';
  /** Why the post could not be loaded (state `error`). */
  error: NewsForumError | undefined;
  /** Whether a "Show more comments" request is on its way. */
  loadingMore = false;
  /** Oldest first; undefined until loaded. */
  comments: readonly Comment[] | undefined;
  /** Comments being deleted, hidden until the server answers. */
  readonly hidden = new Set<string>();
  /** The live view's latest list. */
  #live: readonly Comment[] = [];
  /** Comments fetched by "Show more", by id. */
  readonly #paged = new Map<string, Comment>();
  /** Last version of comments seen deleted, so a late page does not bring them back. */
  readonly #deleted = new Map<string, number>();
  /** Next page to fetch: undefined before the first, null after the last. */
  #cursor: string | null | undefined;
  #abort: AbortController | undefined;
  #stopChanges: (() => void) | undefined;
  readonly #host: LiveHost;
  readonly #votes: Votes;
  readonly #me: () => string | undefined;

  constructor(host: LiveHost, votes: Votes, me: () => string | undefined) {
    this.#host = host;
    this.#votes = votes;
    this.#me = me;
  }

  start(forum: NewsForumClient, id: string): void {
    this.stop();
    this.id = id;
    const abort = (this.#abort = new AbortController());
    this.load(forum);
    this.#stopChanges = forum.live.posts.on('change', ({ old_val: before, new_val: after }) => {
      if (after?.id === id) this.#take(after);
      else if (!after && before?.id === id) this.#gone();
    });
    const comments = forum.live.comments(id);
    const stopComments = comments.on('change', ({ old_val: before, new_val: after }) => this.#pagedChange(before, after));
    abort.signal.addEventListener('abort', stopComments, { once: true });
    forum.live.comments(id).watch({ signal: abort.signal }).subscribe(
      (items) => this.#takeComments(items),
      (error) => (error.status === 404 ? this.#gone() : this.#host.failed('live', error)),
    );
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    this.#stopChanges?.();
    this.#stopChanges = undefined;
    this.id = this.post = this.comments = undefined;
    this.state = 'loading';
    this.error = undefined;
    this.hidden.clear();
    this.#live = [];
    this.#paged.clear();
    this.#deleted.clear();
    this.#cursor = undefined;
    this.loadingMore = false;
  }

  /** Whether comments exist that are not shown (beyond the live view's first 200). */
  get more(): boolean {
    const { post, comments } = this;
    return Boolean(post && comments && this.#cursor !== null && post.commentCount > comments.length);
  }

  /** Loads the post again after it failed to load ("Try again"). */
  retry(forum: NewsForumClient): void {
    if (this.state !== 'error') return;
    this.state = 'loading';
    this.error = undefined;
    this.#host.changed();
    this.load(forum);
  }

  /**
   * Pages the API for comments not shown yet, until some arrive or there
   * are no more. Resolves with the first comment it added, if any.
   */
  async showMore(forum: NewsForumClient): Promise<Comment | undefined> {
    const id = this.id;
    const signal = this.#abort?.signal;
    if (!id || !signal || this.loadingMore) return;
    this.loadingMore = true;
    this.#host.changed();
    let added = 0;
    let first: Comment | undefined;
    try {
      do {
        const cursor = this.#cursor;
        const { data, error } = await forum.comments.list(id, { limit: PAGE, ...(cursor && { cursor }) }, { signal });
        if (signal.aborted) return undefined;
        if (error) {
          this.#host.failed('load', error);
          return undefined;
        }
        for (const comment of data.items) {
          if (!this.#keepPaged(comment)) continue;
          added += 1;
          first ??= comment;
        }
        this.#cursor = data.nextCursor;
      } while (!added && this.#cursor);
    } finally {
      if (!signal.aborted) {
        this.loadingMore = false;
        this.#merge();
        if (added) this.#host.announce(`${count(added, 'more comment')} shown.`);
        this.#host.changed();
      }
    }
    return first;
  }

  /** Fetches the post (with the reader's vote): on opening, after signing in, after reconnecting. */
  load(forum: NewsForumClient): void {
    const signal = this.#abort?.signal;
    if (!this.id || !signal) return;
    const session = this.#votes.session;
    void forum.posts.get(this.id, { signal }).then(({ data, error }) => {
      if (signal.aborted) return;
      if (error?.status === 404) return this.#gone();
      if (error) {
        // Shown in place of the post when there is none yet, with "Try again".
        if (!this.post) {
          this.state = 'error';
          this.error = error;
        }
        this.#host.failed('load', error, Boolean(this.post));
        return this.#host.changed();
      }
      this.#votes.learn([data], session);
      this.#take(data);
    });
  }

  #take(post: LivePost): void {
    if (this.state === 'gone' || (this.post && this.post.version >= post.version)) return;
    this.post = post;
    this.state = 'ready';
    this.error = undefined;
    this.#host.changed();
  }

  #gone(): void {
    this.state = 'gone';
    this.post = undefined;
    this.#host.changed();
  }

  /** Whether a fetched comment is new, or newer than the copy held; keeps it if so. */
  #keepPaged(comment: Comment): boolean {
    if (comment.version <= (this.#deleted.get(comment.id) ?? 0)) return false;
    const held = this.#paged.get(comment.id) ?? this.#live.find((c) => c.id === comment.id);
    if (held && held.version >= comment.version) return false;
    this.#paged.set(comment.id, comment);
    return !held;
  }

  /** Streamed changes, for the comments fetched by "Show more" (the live view does its own). */
  #pagedChange(before: Comment | null, after: Comment | null): void {
    if (after) {
      const held = this.#paged.get(after.id);
      if (held && held.version < after.version) this.#paged.set(after.id, after);
      return;
    }
    if (!before) return;
    this.#deleted.set(before.id, Math.max(before.version, this.#deleted.get(before.id) ?? 0));
    if (this.#paged.delete(before.id) && this.comments) {
      this.#merge();
      this.#host.changed();
    }
  }

  /** The live list and the fetched comments, by id, the newer version winning, oldest first. */
  #merge(): void {
    if (!this.#paged.size) {
      this.comments = this.#live;
      return;
    }
    const byId = new Map(this.#paged);
    for (const comment of this.#live) {
      const held = byId.get(comment.id);
      if (!held || held.version < comment.version) byId.set(comment.id, comment);
    }
    this.comments = [...byId.values()].sort(oldestFirst);
  }

  #takeComments(items: readonly Comment[]): void {
    const known = this.comments && new Set(this.comments.map((comment) => comment.id));
    const me = this.#me();
    const arrived = known ? items.filter((comment) => !known.has(comment.id) && comment.author !== me) : [];
    this.#live = items;
    this.#merge();
    if (arrived.length === 1) this.#host.announce(`New comment by ${arrived[0]!.author}`);
    else if (arrived.length > 1) this.#host.announce(`${count(arrived.length, 'new comment')}`);
    this.#host.changed();
  }
}
