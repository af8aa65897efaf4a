import type { Comment, Post, Problem, SubscribeAck, Topic } from './types.js';

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

/** Acknowledgement of `unsubscribe`. */
export type UnsubscribeAck = { ok: true } | { ok: false; error: Problem };

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
  presence: (presence: { online: number }) => void;
  /**
   * Changes of posts in the order of `poststream`, several in one message:
   * sent instead of `poststream` to sockets that connected with
   * `auth.batch: true`. The first change after a quiet spell goes alone and
   * at once; those that follow within the batch window go together when it
   * ends, so a busy front page costs a client a few messages a second, not
   * one per vote.
   */
  poststreams: (changes: Change<LivePost>[]) => void;
}

/** Events clients emit to the server. */
export interface ClientToServerEvents {
  subscribe: (topic: Topic, ack: (result: SubscribeAck) => void) => void;
  unsubscribe: (topic: Topic, ack: (result: UnsubscribeAck) => void) => void;
}

/** Handshake `auth` payload. Anonymous sockets may read. */
export interface SocketAuth {
  token?: string;
  /** Receive changes of posts as `poststreams` batches instead of one `poststream` each. */
  batch?: boolean;
}
