import type { Socket } from 'socket.io-client';
import type { NewsForumError } from '../errors/news-forum-error.js';
import { type RetryDelay } from '../rest/backoff.js';
import { Emitter } from './emitter.js';
import type { Change, ClientToServerEvents, ServerToClientEvents, Topic } from './events.js';
import { type LiveStatus, type StatusEvent } from './status.js';
export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** What one subscription (the posts, or one post's comments) reports. */
export interface TopicEvents<T> {
    /** A document was inserted (`old_val` null), updated, or deleted (`new_val` null). */
    change: (change: Change<T>) => void;
    /**
     * The whole topic, taken after joining: on subscribing, after every
     * reconnect, and when the server asks for a resync. Changes that arrive
     * meanwhile are delivered after it; some may be older than the snapshot
     * (compare `version`).
     */
    snapshot: (docs: T[]) => void;
    /** The subscription's status changed. */
    status: (event: StatusEvent) => void;
    /** The server refused the subscription (e.g. 404 for comments of a missing post); retried on the next connect. */
    error: (error: NewsForumError) => void;
}
export interface FeedOptions {
    ackTimeoutMs: number;
    retryDelay: RetryDelay;
}
/** The server's defaults for a posts snapshot. */
export declare const DEFAULT_POST_SORT = "hot";
export declare const DEFAULT_POST_LIMIT = 30;
/** The room a topic joins on the server: all posts share one, whatever their snapshot. */
export declare function roomOf(topic: Topic): string;
/** Key of a feed: one per room and kind of snapshot. */
export declare function topicKey(topic: Topic): string;
/** One topic's listeners and its subscribe/snapshot protocol on the current socket. */
export declare class TopicFeed<T> {
    #private;
    readonly events: Emitter<TopicEvents<T>>;
    readonly topic: Topic;
    constructor(topic: Topic, options: FeedOptions);
    get status(): LiveStatus;
    /**
     * Joins the topic's room on `socket`. Changes are held back until the
     * snapshot arrives, so listeners always see a snapshot before the changes
     * that follow it.
     */
    subscribe(socket: LiveSocket): void;
    /** Ends the current subscription attempt, e.g. on disconnect. */
    stop(event: StatusEvent): void;
    /** A change from the socket, for this topic. */
    receive(change: Change<T>): void;
}
//# sourceMappingURL=topic-feed.d.ts.map