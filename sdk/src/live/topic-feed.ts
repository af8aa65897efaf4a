import {
  type Change,
  type ClientToServerEvents,
  DEFAULT_PAGE_SIZE,
  DEFAULT_POST_SORT,
  roomOf,
  type ServerToClientEvents,
  type Topic,
} from '@news-forum/protocol';
import type { Socket } from 'socket.io-client';
import { ApiError } from '../errors/api-error.js';
import type { NewsForumError } from '../errors/news-forum-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { isTransientStatus, type RetryDelay } from '../rest/backoff.js';
import { Emitter } from './emitter.js';
import { SeenVersions } from './seen-versions.js';
import { type LiveStatus, StatusCell, type StatusEvent } from './status.js';
import type { Versioned } from './view-state.js';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What one subscription (the posts, or one post's comments) reports. */
export interface TopicEvents<T> {
  /**
   * A document was inserted (`old_val` null), updated, or deleted (`new_val`
   * null). Each version arrives once: a change whose `version` is not newer
   * than one already delivered or snapshotted (as another node may send
   * after a reconnect) is dropped, unless a snapshot since lacked the
   * document: a node whose snapshot lags sends it again.
   */
  change: (change: Change<T>) => void;
  /**
   * The whole topic, taken after joining: on subscribing, after every
   * reconnect, and when the server asks for a resync. Changes that arrive
   * meanwhile are delivered after it, except those it already holds. With
   * `rewound`, the database went back (it lost commits, or was restored) or
   * this snapshot names another database than the one before (its `epoch`):
   * the snapshot replaces what a listener holds, even documents it holds at
   * higher versions, and versions seen before count for nothing.
   */
  snapshot: (docs: T[], detail: { rewound: boolean }) => void;
  /** The subscription's status changed. */
  status: (event: StatusEvent) => void;
  /** The server refused the subscription (e.g. 404 for comments of a missing post); retried on the next connect. */
  error: (error: NewsForumError) => void;
}

export interface FeedOptions {
  ackTimeoutMs: number;
  retryDelay: RetryDelay;
}

/** Key of a feed: one per room and kind of snapshot. */
export function topicKey(topic: Topic): string {
  if (topic.topic === 'comments') return roomOf(topic);
  return `posts:${topic.sort ?? DEFAULT_POST_SORT}:${topic.limit ?? DEFAULT_PAGE_SIZE}`;
}

/** One topic's listeners and its subscribe/snapshot protocol on the current socket. */
export class TopicFeed<T> {
  readonly events = new Emitter<TopicEvents<T>>();
  readonly topic: Topic;
  readonly #options: FeedOptions;
  readonly #status = new StatusCell((event) => this.events.emit('status', event));
  // Bumped whenever an attempt is superseded, so a late ack of an old one is ignored.
  #epoch = 0;
  #buffer: Change<T>[] | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #seen = new SeenVersions();
  // Set by a resync that said the database went back, until a snapshot is taken.
  #rewound = false;
  // The database the last snapshot came from (DatabaseEpoch): another one (restored, made anew) reuses versions.
  #database: string | undefined;

  constructor(topic: Topic, options: FeedOptions) {
    this.topic = topic;
    this.#options = options;
  }

  get status(): LiveStatus {
    return this.#status.current;
  }

  /**
   * Joins the topic's room on `socket`. Changes are held back until the
   * snapshot arrives, so listeners always see a snapshot before the changes
   * that follow it.
   */
  subscribe(socket: LiveSocket): void {
    const epoch = this.#supersede();
    this.#buffer = [];
    this.#status.set({ status: 'connecting' });
    socket.timeout(this.#options.ackTimeoutMs).emit('subscribe', this.topic, (timedOut, ack) => {
      if (epoch !== this.#epoch) return;
      if (timedOut) return this.#retryLater(socket, epoch, new TimeoutError(this.#options.ackTimeoutMs));
      if (!ack.ok) {
        const error = new ApiError(ack.error);
        if (isTransientStatus(error.status)) return this.#retryLater(socket, epoch, error);
        this.stop({ status: 'closed', error });
        return this.events.emit('error', error);
      }
      this.#failures = 0;
      const buffered = this.#buffer ?? [];
      this.#buffer = undefined;
      const snapshot = ack.snapshot as T[];
      const rewound = this.#rewound || (this.#database ?? ack.epoch) !== ack.epoch;
      this.#rewound = false;
      this.#database = ack.epoch;
      if (rewound) this.#seen = new SeenVersions();
      this.#seen.recordSnapshot(snapshot as Versioned[]);
      this.events.emit('snapshot', snapshot, { rewound });
      for (const change of buffered) this.#deliver(change);
      this.#status.set({ status: 'live' });
    });
  }

  /** The server asked for a fresh snapshot; `rewound`: because the database went back (see `snapshot`). */
  resync(socket: LiveSocket, rewound: boolean): void {
    if (rewound) this.#rewound = true;
    this.subscribe(socket);
  }

  /** Ends the current subscription attempt, e.g. on disconnect. */
  stop(event: StatusEvent): void {
    this.#supersede();
    this.#status.set(event);
  }

  /** A change from the socket, for this topic. */
  receive(change: Change<T>): void {
    if (this.#buffer) this.#buffer.push(change);
    else if (this.#status.current === 'live') this.#deliver(change);
  }

  #deliver(change: Change<T>): void {
    if (this.#seen.isNew(change as Change<Versioned>)) this.events.emit('change', change);
  }

  #retryLater(socket: LiveSocket, epoch: number, error: NewsForumError): void {
    this.#buffer = undefined;
    this.#status.set({ status: 'connecting', error });
    this.#retryTimer = setTimeout(
      () => {
        if (epoch === this.#epoch && socket.connected) this.subscribe(socket);
      },
      this.#options.retryDelay(++this.#failures),
    );
  }

  #supersede(): number {
    clearTimeout(this.#retryTimer);
    this.#buffer = undefined;
    return ++this.#epoch;
  }
}
