import type { Comment, Post, PostSort } from '../types.js';
/**
 * One change of a document, in RethinkDB's changefeed shape: `old_val` is
 * null for an insert, `new_val` is null for a delete.
 */
export interface Change<T> {
    old_val: T | null;
    new_val: T | null;
}
/** A post as it travels on the live stream (no per-reader `myVote`). */
export type LivePost = Omit<Post, 'myVote'>;
/**
 * What a client may subscribe to. For posts, `sort` and `limit` (1 to 100,
 * default hot and 30) choose the snapshot; the stream carries every post.
 */
export type Topic = {
    topic: 'posts';
    sort?: PostSort;
    limit?: number;
} | {
    topic: 'comments';
    postId: string;
};
/** Acknowledgement of `subscribe`: a snapshot taken after joining the room. */
export type SubscribeAck = {
    ok: true;
    topic: 'posts';
    snapshot: LivePost[];
} | {
    ok: true;
    topic: 'comments';
    postId: string;
    snapshot: Comment[];
} | {
    ok: false;
    error: {
        type: string;
        title: string;
        status: number;
        detail?: string;
    };
};
/** Acknowledgement of `unsubscribe`. */
export type UnsubscribeAck = {
    ok: true;
} | {
    ok: false;
    error: {
        type: string;
        title: string;
        status: number;
        detail?: string;
    };
};
/** Events the server emits to clients. */
export interface ServerToClientEvents {
    /** A post was created, changed (votes, comment count) or deleted. */
    poststream: (change: Change<LivePost>) => void;
    /** A comment of a subscribed post was created or deleted. */
    commentstream: (change: Change<Comment>) => void;
    /**
     * The server's change feed had a gap (database restart, dropped
     * connection): the client should take a fresh snapshot of the topic.
     */
    resync: (topic: Topic) => void;
    /** How many sockets are connected across all nodes. */
    presence: (presence: {
        online: number;
    }) => void;
}
/** Events clients emit to the server. */
export interface ClientToServerEvents {
    subscribe: (topic: Topic, ack: (result: SubscribeAck) => void) => void;
    unsubscribe: (topic: Topic, ack: (result: UnsubscribeAck) => void) => void;
}
/** Handshake `auth` payload. Anonymous sockets may read. */
export interface SocketAuth {
    token?: string;
}
//# sourceMappingURL=events.d.ts.map