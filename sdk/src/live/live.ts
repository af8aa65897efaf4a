import {
  COMMENT_SNAPSHOT_LIMIT,
  type Comment,
  commentOrder,
  DEFAULT_PAGE_SIZE,
  DEFAULT_POST_SORT,
  type LivePost,
  MAX_PAGE_SIZE,
  type PostSort,
  postOrder,
  type Topic,
} from '@news-forum/protocol';
import type { RetryDelay } from '../rest/backoff.js';
import type { CommentsApi } from '../rest/comments.js';
import type { Connection, ConnectionEvents } from './connection.js';
import { type LiveView, type PagedLiveView, type Paging, TopicView, type ViewSource, type WatchOptions } from './live-view.js';
import type { LiveStatus } from './status.js';
import type { TopicEvents } from './topic-feed.js';
import type { Versioned, ViewSpec } from './view-state.js';

/**
 * One live topic. Listening opens the socket (if needed) and joins the
 * topic's room; removing the last listener leaves it.
 */
export interface LiveTopic<T> {
  /** Status of this subscription (`closed` while no one listens). */
  readonly status: LiveStatus;
  /**
   * Adds a listener; returns the function that removes it.
   *
   * @example
   * const stop = forum.live.posts.on('change', ({ old_val, new_val }) => {
   *   if (!new_val) console.log('deleted', old_val?.id);
   *   else console.log(new_val.title, new_val.score);
   * });
   */
  on<K extends keyof TopicEvents<T>>(event: K, listener: TopicEvents<T>[K]): () => void;
}

/** Options of `forum.live.posts.watch()`. */
export interface WatchPostsOptions extends WatchOptions {
  /** Ordering, as in `GET /api/posts`; default `hot`. */
  sort?: PostSort;
  /** Length of the list, 1 to 100 (the API's page limits); default 30. */
  limit?: number;
}

/** Live posts: `forum.live.posts`. */
export interface LivePostsTopic extends LiveTopic<LivePost> {
  /**
   * An ordered, self-updating front page.
   *
   * @example
   * for await (const posts of forum.live.posts.watch({ sort: 'hot', limit: 30 })) render(posts);
   */
  watch(options?: WatchPostsOptions): LiveView<LivePost>;
}

/** Live comments of one post: `forum.live.comments(postId)`. */
export interface LiveCommentsTopic extends LiveTopic<Comment> {
  readonly postId: string;
  /**
   * The post's comments, oldest first, kept up to date. Snapshots hold the
   * first 200; every comment that arrives later is kept, with no cut-off.
   * Comments 201 on that already existed are paged in by `loadMore()`.
   *
   * @example
   * const view = forum.live.comments(postId).watch({ signal });
   * view.subscribe(render);
   * if (view.hasMore) await view.loadMore({ signal });
   */
  watch(options?: WatchOptions): PagedLiveView<Comment>;
}

/** Live streams: `forum.live`. */
export interface Live {
  /** Every post, as it is created, voted on, commented on or deleted. */
  readonly posts: LivePostsTopic;
  /** The comments of one post. */
  comments(postId: string): LiveCommentsTopic;
  /** Status of the socket. */
  readonly status: LiveStatus;
  /**
   * Listens to the socket as a whole: `status`, the server's `presence`
   * counts and, for a signed-in reader, `notification`s of replies
   * (delivered while something is subscribed).
   *
   * @example
   * forum.live.on('status', ({ status, error }) => banner.show(status, error?.message));
   * forum.live.on('presence', ({ topic, reading }) => topic?.topic === 'posts' && show(`${reading} reading now`));
   * forum.live.on('notification', ({ actor, excerpt }) => toast(`${actor} replied: ${excerpt}`));
   */
  on<K extends keyof ConnectionEvents>(event: K, listener: ConnectionEvents[K]): () => void;
}

type Track = <T extends Versioned>(make: (onEnd: () => void) => TopicView<T>) => TopicView<T>;

class TopicHandle<T extends Versioned> implements LiveTopic<T> {
  readonly #connection: Connection;
  readonly #subject: Topic;
  readonly #track: Track;

  constructor(connection: Connection, subject: Topic, track: Track) {
    this.#connection = connection;
    this.#subject = subject;
    this.#track = track;
  }

  get status(): LiveStatus {
    return this.#connection.statusOf(this.#subject);
  }

  on<K extends keyof TopicEvents<T>>(event: K, listener: TopicEvents<T>[K]): () => void {
    return this.#connection.listen<T, K>(this.#subject, event, listener);
  }

  /** A view of `subject`, a variant of this topic (posts differ in the snapshot they ask for). */
  protected view(subject: Topic, spec: ViewSpec<T>, signal: AbortSignal | undefined, paging?: Paging<T>): TopicView<T> {
    const connection = this.#connection;
    const source: ViewSource<T> = {
      on: (event, listener) => connection.listen(subject, event, listener),
      refresh: () => connection.refresh(subject),
    };
    return this.#track((onEnd) => new TopicView(source, spec, { signal, onEnd, paging }));
  }
}

class PostsHandle extends TopicHandle<LivePost> implements LivePostsTopic {
  watch({ sort = DEFAULT_POST_SORT, limit = DEFAULT_PAGE_SIZE, signal }: WatchPostsOptions = {}): LiveView<LivePost> {
    const size = Math.min(Math.max(Math.trunc(limit), 1), MAX_PAGE_SIZE);
    return this.view({ topic: 'posts', sort, limit: size }, { compare: postOrder(sort), limit: size }, signal);
  }
}

class CommentsHandle extends TopicHandle<Comment> implements LiveCommentsTopic {
  readonly postId: string;
  readonly #rest: CommentsApi;
  readonly #retryDelay: RetryDelay;

  constructor(connection: Connection, track: Track, rest: CommentsApi, retryDelay: RetryDelay, postId: string) {
    super(connection, { topic: 'comments', postId }, track);
    this.postId = postId;
    this.#rest = rest;
    this.#retryDelay = retryDelay;
  }

  watch({ signal }: WatchOptions = {}): PagedLiveView<Comment> {
    const { postId } = this;
    const paging: Paging<Comment> = {
      pages: (cursor, options) => this.#rest.list(postId, { limit: COMMENT_SNAPSHOT_LIMIT, cursor }, options),
      retryDelay: this.#retryDelay,
    };
    return this.view({ topic: 'comments', postId }, { compare: commentOrder, snapshotLimit: COMMENT_SNAPSHOT_LIMIT }, signal, paging);
  }
}

/**
 * `forum.live`, and the means to close every view it made; `comments` pages
 * comment views, asking again after `retryDelay` when a check after a gap fails.
 */
export function createLive(connection: Connection, comments: CommentsApi, retryDelay: RetryDelay): { live: Live; closeViews(): void } {
  const views = new Set<{ close(): void }>();
  const track: Track = (make) => {
    let view: { close(): void } | undefined;
    // onEnd may run inside make() (an already aborted signal), before `view` is set.
    const made = make(() => view && views.delete(view));
    if (!made.closed) {
      view = made;
      views.add(made);
    }
    return made;
  };
  const live: Live = {
    posts: new PostsHandle(connection, { topic: 'posts' }, track),
    comments: (postId) => new CommentsHandle(connection, track, comments, retryDelay, postId),
    get status() {
      return connection.status;
    },
    on: (event, listener) => connection.events.on(event, listener),
  };
  return {
    live,
    closeViews() {
      for (const view of [...views]) view.close();
    },
  };
}
