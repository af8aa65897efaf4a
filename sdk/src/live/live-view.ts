import type { Page } from '@news-forum/protocol';
import type { NewsForumError } from '../errors/news-forum-error.js';
import { isTransientError, type RetryDelay, sleep } from '../rest/backoff.js';
import type { CallOptions, RequestError, Result } from '../rest/result.js';
import type { TopicEvents } from './topic-feed.js';
import {
  applyChange,
  applyPage,
  applySnapshot,
  dropUnseen,
  emptyViewState,
  heldBeyond,
  isCutSnapshot,
  type Versioned,
  type ViewSpec,
  type ViewState,
  viewItems,
} from './view-state.js';

/** Options of every `watch()`. */
export interface WatchOptions {
  /** Closes the view when aborted. */
  signal?: AbortSignal;
}

/** What a view needs of its topic. */
export interface ViewSource<T> {
  on<K extends keyof TopicEvents<T>>(event: K, listener: TopicEvents<T>[K]): () => void;
  /** Asks for a fresh snapshot. */
  refresh(): void;
}

/** One page of a topic's documents by REST, in the view's order: the first when `cursor` is undefined. */
export type PageSource<T> = (cursor: string | undefined, options: CallOptions) => Promise<Result<Page<T>>>;

/** How a view pages beyond its snapshots: the pages, and the wait before asking again after they failed. */
export interface Paging<T> {
  pages: PageSource<T>;
  retryDelay: RetryDelay;
}

/** What {@link PagedLiveView.loadMore} resolves to: the documents it added to the view, or why it failed. */
export type LoadMoreResult<T> = { data: readonly T[]; error: undefined } | { data: undefined; error: RequestError };

interface Observer<T> {
  next(items: readonly T[]): void;
  end(error: NewsForumError | undefined): void;
}

/**
 * An ordered list that keeps itself up to date from a live topic: the
 * snapshot on subscribing, then every change under the version rule, and a
 * fresh snapshot after every reconnect. Use it as an async iterable of
 * lists (a slow consumer skips to the latest list), or with `subscribe()`.
 *
 * @example
 * const view = forum.live.posts.watch({ sort: 'hot', limit: 30 });
 * const stop = view.subscribe((posts) => render(posts));
 * // later
 * view.close();
 */
export interface LiveView<T> extends AsyncIterable<readonly T[]> {
  /** The current list, or undefined until the first snapshot arrives. */
  readonly items: readonly T[] | undefined;
  /** True once closed (by `close()`, the signal, `forum.close()`, or a refused subscription). */
  readonly closed: boolean;
  /**
   * Calls `listener` with every new list (at once with the current one, if
   * any); `onError` hears why the view ended when the server refused the
   * subscription. Returns the function that stops the calls (the view stays
   * open; `close()` ends it).
   */
  subscribe(listener: (items: readonly T[]) => void, onError?: (error: NewsForumError) => void): () => void;
  /** Stops updating and leaves the topic's room (if no one else listens). Iterators finish. */
  close(): void;
  /**
   * Lists as they change, starting with the current one. Breaking out of a
   * `for await` loop closes the view; a refused subscription throws its error.
   */
  [Symbol.asyncIterator](): AsyncIterator<readonly T[]>;
}

/**
 * A live view whose snapshots are cut at a size (a post's comments: the
 * first 200), which can page in the documents beyond the snapshot that
 * existed before subscribing. Paged documents go through the same version
 * rule as streamed ones and are kept up to date by the stream after.
 *
 * @example
 * const view = forum.live.comments(postId).watch();
 * view.subscribe(render);
 * moreButton.onclick = async () => {
 *   const { data, error } = await view.loadMore();
 *   if (error) showError(error);
 *   else moreButton.hidden = !view.hasMore;
 * };
 */
export interface PagedLiveView<T> extends LiveView<T> {
  /**
   * Whether documents may exist that the view has not fetched: the last
   * snapshot was cut at its size and paging has not reached the end.
   */
  readonly hasMore: boolean;
  /**
   * Fetches pages by REST until one brings documents the view lacks, or
   * there are no more; resolves with the documents it added (none once
   * `hasMore` is false). A call made while one is on its way shares it.
   * Documents deleted meanwhile stay out (tombstones), and newer versions
   * held win over older paged ones.
   */
  loadMore(options?: CallOptions): Promise<LoadMoreResult<T>>;
}

/** The one implementation of {@link LiveView} and {@link PagedLiveView}. */
export class TopicView<T extends Versioned> implements PagedLiveView<T> {
  #state = emptyViewState<T>();
  #items: readonly T[] | undefined;
  #ended: { error: NewsForumError | undefined } | undefined;
  readonly #observers = new Set<Observer<T>>();
  readonly #stops: (() => void)[];
  readonly #source: ViewSource<T>;
  readonly #spec: ViewSpec<T>;
  // Set while a fresh snapshot is on its way, so a short list asks only once.
  #refreshing = false;
  readonly #onEnd: (() => void) | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.close();
  readonly #paging: Paging<T> | undefined;
  // Aborted when the view ends: stops its own page requests and the waits between them.
  readonly #lifetime = new AbortController();
  // Counts snapshots, so that a check after a gap stops retrying once a newer snapshot starts its own.
  #snapshots = 0;
  /** Whether the last snapshot was cut at the topic's snapshot size. */
  #cut = false;
  /** Next page to fetch: undefined before the first, null after the last. */
  #cursor: string | null | undefined;
  #loading: Promise<LoadMoreResult<T>> | undefined;

  constructor(
    source: ViewSource<T>,
    spec: ViewSpec<T>,
    options: { signal?: AbortSignal | undefined; onEnd?: () => void; paging?: Paging<T> | undefined },
  ) {
    this.#source = source;
    this.#spec = spec;
    this.#onEnd = options.onEnd;
    this.#signal = options.signal;
    this.#paging = options.paging;
    this.#stops = [
      source.on('snapshot', (docs, { rewound }) => {
        this.#refreshing = false;
        const snapshot = ++this.#snapshots;
        if (rewound) {
          // The database went back: nothing held (pages, tombstones, newer versions) is to be kept.
          this.#cut = isCutSnapshot(docs, spec);
          this.#cursor = undefined;
          this.#update(applySnapshot(emptyViewState(), docs, spec));
          return;
        }
        const beyond = heldBeyond(this.#state, docs, spec);
        // The view held the whole topic: paged to its end, or given it whole by an uncut snapshot and every change
        // since. What was created during a gap then ranks last, past a cut snapshot, and the pages hold it.
        const whole = this.#items !== undefined && (this.#cursor === null || !this.#cut);
        this.#cut = isCutSnapshot(docs, spec);
        // An uncut snapshot is the whole topic: paging, if it starts again, starts over.
        if (!this.#cut) this.#cursor = undefined;
        this.#update(applySnapshot(this.#state, docs, spec));
        const paging = this.#paging;
        if (paging && (beyond.length || (whole && this.#cut))) void this.#recheckAfterGap(paging, beyond, whole, snapshot);
      }),
      source.on('change', (change) => this.#update(applyChange(this.#state, change, spec))),
      source.on('error', (error) => this.#end(error)),
    ];
    if (this.#signal?.aborted) this.close();
    else this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get items(): readonly T[] | undefined {
    return this.#items;
  }

  get closed(): boolean {
    return this.#ended !== undefined;
  }

  subscribe(listener: (items: readonly T[]) => void, onError?: (error: NewsForumError) => void): () => void {
    const observer: Observer<T> = { next: listener, end: (error) => error && onError?.(error) };
    if (this.#ended) {
      observer.end(this.#ended.error);
      return () => {};
    }
    this.#observers.add(observer);
    if (this.#items) listener(this.#items);
    return () => this.#observers.delete(observer);
  }

  close(): void {
    this.#end(undefined);
  }

  get hasMore(): boolean {
    return this.#paging !== undefined && this.#cut && this.#cursor !== null && !this.closed;
  }

  loadMore(options: CallOptions = {}): Promise<LoadMoreResult<T>> {
    return this.#share(() => this.#fetchMore(options));
  }

  /** Runs one paging task at a time: a call made while one is on its way shares it. */
  #share(task: () => Promise<LoadMoreResult<T>>): Promise<LoadMoreResult<T>> {
    this.#loading ??= task().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  [Symbol.asyncIterator](): AsyncIterator<readonly T[]> {
    let latest = this.#items;
    let ended = this.#ended;
    // Every next() that waits: a caller may ask again before the last answer.
    let waiting: (() => void)[] = [];
    const wake = () => {
      for (const resolve of waiting) resolve();
      waiting = [];
    };
    const observer: Observer<T> = {
      next: (items) => {
        latest = items;
        wake();
      },
      end: (error) => {
        ended = { error };
        wake();
      },
    };
    if (!ended) this.#observers.add(observer);
    return {
      next: async () => {
        while (latest === undefined && !ended) await new Promise<void>((resolve) => waiting.push(resolve));
        const value = latest;
        // The loop above leaves either an end or a value.
        if (ended || value === undefined) {
          if (ended?.error) throw ended.error;
          return { done: true, value: undefined };
        }
        latest = undefined;
        return { done: false, value };
      },
      return: async () => {
        // Ended first, so that a next() still waiting settles as done.
        observer.end(undefined);
        this.#observers.delete(observer);
        this.close();
        return { done: true, value: undefined };
      },
    };
  }

  async #fetchMore(options: CallOptions): Promise<LoadMoreResult<T>> {
    const pages = this.#paging?.pages;
    const added: T[] = [];
    // The API's cursors are opaque, so the first page is the snapshot's again; the version rule makes that harmless.
    while (pages && this.hasMore && !added.length) {
      const snapshots = this.#snapshots;
      const { data, error } = await pages(this.#cursor ?? undefined, options);
      if (error) return { data: undefined, error };
      // A snapshot that came meanwhile may follow a gap, during which the page's documents may have been deleted
      // unseen: the page is read again.
      if (snapshots !== this.#snapshots) continue;
      const before = this.#state;
      this.#cursor = data.nextCursor;
      this.#update(applyPage(before, data.items, this.#spec));
      for (const doc of data.items) if (!before.docs.has(doc.id) && this.#state.docs.get(doc.id) === doc) added.push(doc);
    }
    return { data: added, error: undefined };
  }

  /**
   * Runs #recheck after any paging already on its way (which may predate the
   * gap), and again after each transient failure, with backoff, until it
   * succeeds, the view ends, or a newer snapshot starts a check of its own:
   * the documents beyond the snapshot converge even when the pages fail for
   * longer than one call's retries.
   */
  async #recheckAfterGap({ retryDelay }: Paging<T>, checked: readonly T[], toEnd: boolean, snapshot: number): Promise<void> {
    const { signal } = this.#lifetime;
    for (let retry = 1; ; retry++) {
      while (this.#loading) await this.#loading;
      if (signal.aborted || snapshot !== this.#snapshots) return;
      const { error } = await this.#share(() => this.#recheck(checked, toEnd, { signal }));
      if (!error || !isTransientError(error)) return;
      if (!(await sleep(retryDelay(retry), signal))) return;
    }
  }

  /**
   * After a snapshot that follows a gap in the stream, the documents held
   * beyond it (`checked`) are pages' worth of unknowns: pages are read again
   * from the first until past the last of them (to the end if the view held
   * the whole topic), adding what was created meanwhile and dropping what the
   * pages no longer hold.
   */
  async #recheck(checked: readonly T[], toEnd: boolean, options: CallOptions): Promise<LoadMoreResult<T>> {
    const pages = this.#paging?.pages;
    const spec = this.#spec;
    const extent = checked.length ? checked.reduce((a, b) => (spec.compare(b, a) > 0 ? b : a)) : undefined;
    const seen = new Set<string>();
    const added: T[] = [];
    let cursor: string | undefined;
    let reached: T | undefined;
    const snapshots = this.#snapshots;
    while (pages && !this.closed) {
      const { data, error } = await pages(cursor, options);
      if (error) return { data: undefined, error };
      // As in #fetchMore; the newer snapshot checks what it needs to.
      if (snapshots !== this.#snapshots) return { data: added, error: undefined };
      const before = this.#state;
      this.#update(applyPage(before, data.items, this.#spec));
      for (const doc of data.items) {
        seen.add(doc.id);
        if (!before.docs.has(doc.id) && this.#state.docs.get(doc.id) === doc) added.push(doc);
      }
      reached = data.items.at(-1) ?? reached;
      this.#cursor = data.nextCursor;
      if (data.nextCursor === null) {
        reached = undefined;
        break;
      }
      if (!toEnd && (!extent || (reached && spec.compare(reached, extent) >= 0))) break;
      cursor = data.nextCursor;
    }
    if (!this.closed) this.#update(dropUnseen(this.#state, checked, seen, reached, spec));
    return { data: added, error: undefined };
  }

  #update(state: ViewState<T>): void {
    if (state === this.#state && this.#items) return;
    this.#state = state;
    const { items, complete } = viewItems(state, this.#spec);
    if (!complete && !this.#refreshing) {
      this.#refreshing = true;
      this.#source.refresh();
    }
    if (this.#items && sameItems(items, this.#items)) return;
    this.#items = items;
    this.#notify((observer) => observer.next(items));
  }

  #end(error: NewsForumError | undefined): void {
    if (this.#ended) return;
    this.#ended = { error };
    this.#lifetime.abort();
    for (const stop of this.#stops) stop();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#notify((observer) => observer.end(error));
    this.#observers.clear();
    this.#onEnd?.();
  }

  // Like the topic's emitter: an observer that throws does not keep the list from the others, nor the view from
  // finishing the update; its error is rethrown asynchronously.
  #notify(call: (observer: Observer<T>) => void): void {
    for (const observer of [...this.#observers]) {
      try {
        call(observer);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

// Same ids at the same versions is the same list (a version names one state
// of a document), so a repeated snapshot after a reconnect renders nothing.
function sameItems<T extends Versioned>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item.id === b[i]?.id && item.version === b[i]?.version);
}
