import type { NewsForumError } from '../errors/news-forum-error.js';
import type { TopicEvents } from './topic-feed.js';
import { type Versioned, type ViewSpec } from './view-state.js';
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
/** The one implementation of {@link LiveView}. */
export declare class TopicView<T extends Versioned> implements LiveView<T> {
    #private;
    constructor(source: ViewSource<T>, spec: ViewSpec<T>, options: {
        signal?: AbortSignal | undefined;
        onEnd?: () => void;
    });
    get items(): readonly T[] | undefined;
    get closed(): boolean;
    subscribe(listener: (items: readonly T[]) => void, onError?: (error: NewsForumError) => void): () => void;
    close(): void;
    [Symbol.asyncIterator](): AsyncIterator<readonly T[]>;
}
//# sourceMappingURL=live-view.d.ts.map