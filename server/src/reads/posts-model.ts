import { POST_SORTS, type PostSort, postOrder } from '@news-forum/protocol';
import { backoffDelay, wait } from '../backoff.js';
import type { Logger } from '../logger.js';
import { publicPost, publicPostChange } from '../moderation/visibility.js';
import type { Change, FeedItem, Page, Store, StoredPost } from '../store/store.js';
import { AppliedVersions, DELETED } from './applied-versions.js';
import type { CachedBody } from './cached-body.js';
import { OrderedWindow } from './ordered-window.js';
import { postCursor } from './post-cursors.js';
import { WriteFences } from './write-fences.js';

/** Changes held while the store is read, past which the read starts over (it then has them). */
const MAX_STASHED = 10_000;
/** Pages kept serialized per sort: a few page sizes times a few pages. */
const BODIES_PER_SORT = 32;

/** A page as readers see it (listPosts leaves hidden posts out already; flag counts go). */
function readersPage(page: Page<StoredPost>): Page<StoredPost> {
  return { items: page.items.flatMap((post) => publicPost(post) ?? []), nextCursor: page.nextCursor };
}

/**
 * The first posts of each sort as readers see them, in memory: read once from the store, then
 * kept current by the posts feed, so first pages cost no database round trip.
 * Cold (answering nothing) until loaded, after the feed resets and while it
 * is reopened; then the caller reads the store.
 */
export class PostsModel {
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #capacity: number;
  readonly #windows = new Map<PostSort, OrderedWindow<StoredPost>>();
  readonly #applied = new AppliedVersions();
  /** Changes the feed brought while every sort is read from the store (undefined when none is read). */
  #stash: Change<StoredPost>[] | undefined;
  /** Changes applied while a thin window is read again, replayed onto the new one. */
  readonly #refills = new Map<PostSort, Change<StoredPost>[]>();
  #loadedAt = 0;
  readonly #abort = new AbortController();
  readonly #done: Promise<void>;
  /** Read-your-writes: what each account was told its writes produced. */
  readonly fences: WriteFences;

  constructor(store: Store, logger: Logger, capacity: number) {
    this.#store = store;
    this.#logger = logger;
    this.#capacity = capacity;
    this.fences = new WriteFences(this.#applied, (at) => this.#loadedAt > at);
    this.#done = this.#run();
  }

  /** True when every sort can be answered from memory. */
  get warm(): boolean {
    return this.#windows.size === POST_SORTS.length;
  }

  /** The page from memory, or undefined when memory cannot answer it exactly. */
  page(sort: PostSort, limit: number, cursor: string | undefined): Page<StoredPost> | undefined {
    return this.#windows.get(sort)?.page(limit, cursor);
  }

  /** Like `page`, serialized once per change of the sort's first posts. */
  body(sort: PostSort, limit: number, cursor: string | undefined): CachedBody<Page<StoredPost>> | undefined {
    return this.#windows.get(sort)?.body(limit, cursor);
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }

  async #run(): Promise<void> {
    const { signal } = this.#abort;
    for (let attempt = 0; !signal.aborted; attempt++) {
      // Subscribed before reading, so nothing committed after the read is missed.
      const changes = this.#store.changes('posts', { signal })[Symbol.asyncIterator]();
      // Asked first: a lazy iterator subscribes on its first next().
      const first = changes.next();
      void this.#reload();
      try {
        for (let item = await first; !item.done; item = await changes.next()) {
          attempt = 0;
          this.#take(item.value);
        }
      } catch (error) {
        if (!signal.aborted)
          this.#logger.warn('posts read model failed; reloading', { error: error instanceof Error ? error.message : String(error) });
      } finally {
        // Ends a read under way: its windows would miss what the feed brings until it is open again.
        this.#stash = undefined;
        this.#windows.clear();
        await changes.return?.();
      }
      await wait(backoffDelay(attempt), signal);
    }
  }

  #take(item: FeedItem<'posts'>): void {
    // Changes were lost: nothing in memory can be trusted until read again.
    if ('reset' in item) void this.#reload();
    else if (this.#stash === undefined) this.#apply(item);
    // Too many to hold while the store does not answer: the next read has them.
    else if (this.#stash.push(item) > MAX_STASHED) void this.#reload();
  }

  /**
   * Reads every sort from the store, again after failures, while the feed
   * goes on into a stash. The windows are installed with the stash applied,
   * in one turn: a snapshot taken from memory then has every change the
   * relays have sent (they send each as the feed hands it over), and a
   * socket that joins later is sent every change after it.
   */
  async #reload(): Promise<void> {
    this.#windows.clear();
    const stash: Change<StoredPost>[] = [];
    this.#stash = stash;
    const { signal } = this.#abort;
    for (let attempt = 0; this.#stash === stash && !signal.aborted; attempt++) {
      const at = this.fences.now();
      try {
        const pages = await Promise.all(POST_SORTS.map((sort) => this.#store.listPosts(sort, { limit: this.#capacity })));
        if (this.#stash !== stash || signal.aborted) return;
        // What the store says now is the truth, even below versions applied before (commits it lost).
        this.#applied.clear();
        POST_SORTS.forEach((sort, i) => {
          const page = readersPage(pages[i] as Page<StoredPost>);
          for (const post of page.items) if (this.#applied.get(post.id) < post.version) this.#applied.record(post.id, post.version);
          this.#windows.set(sort, this.#window(sort, page));
        });
        this.#stash = undefined;
        for (const change of stash) this.#apply(change);
        this.#loadedAt = at;
        this.#applied.wake();
        return;
      } catch (error) {
        if (this.#stash !== stash || signal.aborted) return;
        this.#logger.warn('posts read model: read failed; reading again', {
          error: error instanceof Error ? error.message : String(error),
        });
        await wait(backoffDelay(attempt), signal);
      }
    }
  }

  #window(sort: PostSort, page: Page<StoredPost>): OrderedWindow<StoredPost> {
    return new OrderedWindow(postOrder(sort), postCursor(sort), this.#capacity, page, BODIES_PER_SORT);
  }

  #apply(change: Change<StoredPost>): void {
    const { old_val: old, new_val: next } = change;
    const id = (next ?? old)?.id;
    if (id === undefined) return;
    const version = next ? next.version : DELETED;
    // A change from before the last read, or replayed by the feed.
    if (this.#applied.get(id) >= version) return;
    // Hiding a post removes it for readers, restoring brings it back.
    const visible = publicPostChange(change);
    if (visible) {
      for (const [sort, window] of this.#windows) {
        window.apply(visible.old_val, visible.new_val);
        this.#refills.get(sort)?.push(visible);
        if (window.thin) this.#refill(sort);
      }
    }
    this.#applied.record(id, version);
  }

  /** Reads a sort again whose window deletions and moves have thinned; the old one answers meanwhile. */
  #refill(sort: PostSort): void {
    if (this.#refills.has(sort)) return;
    const replay: Change<StoredPost>[] = [];
    this.#refills.set(sort, replay);
    const loadedAt = this.#loadedAt;
    this.#store
      .listPosts(sort, { limit: this.#capacity })
      .then((page) => {
        // A reset or a full read since then has replaced this sort's window.
        if (!this.#windows.has(sort) || this.#loadedAt !== loadedAt) return;
        const window = this.#window(sort, readersPage(page));
        for (const change of replay) window.apply(change.old_val, change.new_val);
        this.#windows.set(sort, window);
      })
      .catch((error: unknown) =>
        this.#logger.warn('posts read model: refill failed', { sort, error: error instanceof Error ? error.message : String(error) }),
      )
      .finally(() => this.#refills.delete(sort));
  }
}
