import type { Comment, PostSort } from '../types.js';
import type { Connection, ConnectionEvents } from './connection.js';
import type { LivePost } from './events.js';
import { type LiveView, type WatchOptions } from './live-view.js';
import type { LiveStatus } from './status.js';
import { type TopicEvents } from './topic-feed.js';
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
    /** The post's comments, oldest first (the first 200, as far as the server's snapshots go), kept up to date. */
    watch(options?: WatchOptions): LiveView<Comment>;
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
     * Listens to the socket as a whole: `status`, and the server's `presence`
     * count (delivered while something is subscribed).
     *
     * @example
     * forum.live.on('status', ({ status, error }) => banner.show(status, error?.message));
     */
    on<K extends keyof ConnectionEvents>(event: K, listener: ConnectionEvents[K]): () => void;
}
/** `forum.live`, and the means to close every view it made. */
export declare function createLive(connection: Connection): {
    live: Live;
    closeViews(): void;
};
//# sourceMappingURL=live.d.ts.map