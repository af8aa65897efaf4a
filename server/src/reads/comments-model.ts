import { type Comment, commentOrder } from '@news-forum/protocol';
import { backoffDelay, wait } from '../backoff.js';
import type { Logger } from '../logger.js';
import { publicComment, publicCommentChange } from '../moderation/visibility.js';
import type { Change, FeedItem, Page, Store, StoredComment, StoredPost, Table } from '../store/store.js';
import { AppliedVersions, DELETED } from './applied-versions.js';
import type { CachedBody } from './cached-body.js';
import { OrderedWindow } from './ordered-window.js';
import { commentCursor } from './post-cursors.js';
import { WriteFences } from './write-fences.js';

export interface CommentsModelOptions {
  /** Comments held per post (the oldest). */
  capacity: number;
  /** Posts whose comments are held; the least recently read go first. */
  posts: number;
}

/** Pages kept serialized per post: most readers ask for the first page at the default size. */
const BODIES_PER_POST = 2;

interface Held {
  window: OrderedWindow<Comment>;
  /** `fences.now()` when it was read from the store. */
  loadedAt: number;
}

/**
 * The oldest comments of recently read posts, in memory: read from the store
 * on a post's first read, then kept current by the comments feed; a post
 * deleted (posts feed) is dropped, so its next read finds the store's 404.
 */
export class CommentsModel {
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #options: CommentsModelOptions;
  readonly #held = new Map<string, Held>();
  /** Changes of posts being read, replayed once the read is done. */
  readonly #loading = new Map<string, Change<Comment>[]>();
  /** Versions of comments applied, and DELETED of posts the posts feed deleted. */
  readonly #applied = new AppliedVersions();
  /** Posts hidden (by the posts feed), so a read racing the hiding is not kept. */
  readonly #hiddenPosts = new Set<string>();
  /** Tables whose feed is open now; memory answers only while both are. */
  readonly #following = new Set<Table>();
  #resetAt = 0;
  readonly #abort = new AbortController();
  readonly #done: Promise<void>;
  /** Read-your-writes, scoped by post id. */
  readonly fences: WriteFences;

  constructor(store: Store, logger: Logger, options: CommentsModelOptions) {
    this.#store = store;
    this.#logger = logger;
    this.#options = options;
    this.fences = new WriteFences(this.#applied, (at, postId) => (this.#held.get(postId)?.loadedAt ?? 0) > at);
    this.#done = Promise.all([this.#follow('comments'), this.#follow('posts')]).then(() => undefined);
  }

  /**
   * The page from memory, serialized once per change of the post's comments
   * (reading them first if they are not held); null when the store says the
   * post does not exist; undefined when memory cannot answer (a read of the
   * post under way, or the feed down).
   */
  async body(postId: string, limit: number, cursor: string | undefined): Promise<CachedBody<Page<Comment>> | null | undefined> {
    const window = await this.#window(postId);
    return window === null ? null : window?.body(limit, cursor);
  }

  /** Like `body`, only from what is held already. */
  heldBody(postId: string, limit: number, cursor: string | undefined): CachedBody<Page<Comment>> | undefined {
    return this.#held.get(postId)?.window.body(limit, cursor);
  }

  get #live(): boolean {
    return this.#following.size === 2;
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }

  async #window(postId: string): Promise<OrderedWindow<Comment> | null | undefined> {
    const held = this.#held.get(postId);
    if (held) {
      // Most recently read last: the first entry is the one to evict.
      this.#held.delete(postId);
      this.#held.set(postId, held);
      return held.window;
    }
    if (!this.#live || this.#loading.has(postId)) return undefined;
    return this.#load(postId);
  }

  async #load(postId: string): Promise<OrderedWindow<Comment> | null | undefined> {
    const replay: Change<Comment>[] = [];
    this.#loading.set(postId, replay);
    const at = this.fences.now();
    try {
      // Readers get no comments of a hidden post, as of a missing one.
      const post = await this.#store.getPost(postId);
      if (!post || post.hidden) return null;
      const stored = await this.#store.listComments(postId, { limit: this.#options.capacity });
      // Readers' view: hidden comments as placeholders, no flag counts.
      const page = { items: stored.items.map(publicComment), nextCursor: stored.nextCursor };
      if (!this.#live || this.#resetAt > at || this.#applied.get(postId) === DELETED || this.#hiddenPosts.has(postId)) return undefined;
      const window = new OrderedWindow(commentOrder, commentCursor, this.#options.capacity, page, BODIES_PER_POST);
      for (const change of replay) window.apply(change.old_val, change.new_val);
      for (const comment of page.items)
        if (this.#applied.get(comment.id) < comment.version) this.#applied.record(comment.id, comment.version);
      this.#held.set(postId, { window, loadedAt: at });
      if (this.#held.size > this.#options.posts) this.#held.delete(this.#held.keys().next().value as string);
      this.#applied.wake();
      return window;
    } finally {
      this.#loading.delete(postId);
    }
  }

  async #follow(table: Table): Promise<void> {
    const { signal } = this.#abort;
    for (let attempt = 0; !signal.aborted; attempt++) {
      const changes = this.#store.changes(table, { signal })[Symbol.asyncIterator]();
      this.#following.add(table);
      try {
        for (let item = await changes.next(); !item.done; item = await changes.next()) {
          attempt = 0;
          this.#take(table, item.value);
        }
      } catch (error) {
        if (!signal.aborted)
          this.#logger.warn('comments read model: feed failed', { table, error: error instanceof Error ? error.message : String(error) });
      } finally {
        this.#following.delete(table);
        this.#forget();
        await changes.return?.();
      }
      await wait(backoffDelay(attempt), signal);
    }
  }

  #take(table: Table, item: FeedItem<Table>): void {
    if ('reset' in item) {
      this.#forget();
      return;
    }
    if (table === 'posts') {
      // Of posts, only deletions matter here, and hiding (read again, as hidden, on the next read).
      const { old_val: old, new_val: next } = item as Change<StoredPost>;
      if (old && next === null) {
        // A post's id is never a comment's: this keeps a read racing the deletion from being kept, and meets the
        // fence of the deletion.
        this.#applied.record(old.id, DELETED);
        this.#held.delete(old.id);
        this.#hiddenPosts.delete(old.id);
      } else if (next?.hidden) {
        this.#hiddenPosts.add(next.id);
        this.#held.delete(next.id);
      } else if (next) this.#hiddenPosts.delete(next.id);
      return;
    }
    const change = publicCommentChange(item as Change<StoredComment>);
    const comment = change.new_val ?? change.old_val;
    if (!comment) return;
    const version = change.new_val ? change.new_val.version : DELETED;
    if (this.#applied.get(comment.id) >= version) return;
    const held = this.#held.get(comment.postId);
    held?.window.apply(change.old_val, change.new_val);
    // Deletions can leave too few to answer a first page: the next read takes the post's comments again.
    if (held?.window.thin) this.#held.delete(comment.postId);
    this.#loading.get(comment.postId)?.push(change);
    this.#applied.record(comment.id, version);
  }

  /**
   * Changes may have been lost: drop everything, versions too (the store may have lost commits whose versions
   * new writes reuse); posts are read again on their next read.
   */
  #forget(): void {
    this.#held.clear();
    this.#applied.clear();
    this.#resetAt = this.fences.now();
    this.#applied.wake();
  }
}
