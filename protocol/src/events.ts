import type { Delta, PatchOrDelta } from './deltas.js';
import type { Comment, Notification, Post, Problem, SubscribeAck, Topic } from './types.js';

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

/** Where readers are counted: the front page (every posts topic) or one post's thread. */
export type PresenceTopic = { topic: 'posts' } | { topic: 'comments'; postId: string };

/** A presence count; `topic` and `reading` come together. */
export interface Presence {
  online: number;
  topic?: PresenceTopic;
  reading?: number;
}

/**
 * Why a `resync` came. `rewound`: the database lost commits the server had
 * streamed (a crash with asynchronous commit, a failover to a replica that
 * lagged) or was replaced (a restore): versions the client saw may come
 * again with other states, so its snapshot is to be taken whole.
 */
export interface ResyncDetail {
  rewound?: true;
}

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
   * connection): the client should take a fresh snapshot of the topic. With
   * `detail.rewound`, the database went back: the snapshot replaces what the
   * client holds, even documents it saw at higher versions.
   */
  resync: (topic: Topic, detail?: ResyncDetail) => void;
  /**
   * How many sockets are connected across all nodes (`online`), sent to
   * everyone when it changes; with `topic`, sent to the topic's room when
   * the number of its readers (`reading`, across nodes) changes.
   */
  presence: (presence: Presence) => void;
  /** Someone replied to the account's post or comment: sent once to each of its sockets, on every node. */
  notification: (notification: Notification) => void;
  /**
   * Changes of posts in the order of `poststream`, several in one message:
   * sent instead of `poststream` to sockets that connected with
   * `auth.batch: true`. The first change after a quiet spell goes alone and
   * at once; those that follow within the batch window go together when it
   * ends, so a busy front page costs a client a few messages a second, not
   * one per vote.
   */
  poststreams: (changes: Change<LivePost>[]) => void;
  /**
   * The batches of `poststreams` as deltas (see {@link Delta}), about half
   * the bytes: sent instead of `poststreams` to sockets that connected with
   * `auth.batch: 'deltas'`.
   */
  postdeltas: (deltas: Delta<LivePost>[]) => void;
  /**
   * The batches of `poststreams` with each update of a post this socket was
   * sent whole since it last subscribed as a patch (see {@link PatchOrDelta}),
   * under a third of a delta's bytes; everything else as in
   * `postdeltas`. Sent instead of `poststreams` to sockets that connected
   * with `auth.batch: 'patches'`, which keep the last version of each post
   * they were sent.
   */
  postpatches: (items: PatchOrDelta<LivePost>[]) => void;
}

/** Events clients emit to the server. */
export interface ClientToServerEvents {
  subscribe: (topic: Topic, ack: (result: SubscribeAck) => void) => void;
  unsubscribe: (topic: Topic, ack: (result: UnsubscribeAck) => void) => void;
}

/** Handshake `auth` payload. Anonymous sockets may read. */
export interface SocketAuth {
  token?: string;
  /**
   * Receive changes of posts in batches instead of one `poststream` each:
   * `true` as `poststreams` of changes, `'deltas'` as `postdeltas` of
   * deltas, `'patches'` as `postpatches` of patches and deltas.
   */
  batch?: boolean | 'deltas' | 'patches';
}
