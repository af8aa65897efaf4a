import {
  commentsRoom,
  HeldDocuments,
  type LivePost,
  POSTS_ROOM,
  roomOf,
  type ServerToClientEvents,
  type Topic,
} from '@news-forum/protocol';
import { io, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { ApiError, isProblem } from '../errors/api-error.js';
import { NetworkError } from '../errors/network-error.js';
import type { RetryDelay } from '../rest/backoff.js';
import { resolveUrl } from '../rest/resolve-url.js';
import { Emitter } from './emitter.js';
import { type LiveStatus, StatusCell, type StatusEvent } from './status.js';
import { type LiveSocket, type TopicEvents, TopicFeed, topicKey } from './topic-feed.js';

// biome-ignore lint/suspicious/noExplicitAny: feeds of posts and of comments share one map, and a feed's document type only matters to its listeners.
type AnyFeed = TopicFeed<any>;

/** A socket that stayed up this long was not in a connect-then-kicked loop. */
const KICK_STREAK_RESET_MS = 10_000;

/** socket.io-client options the SDK passes through (`auth` is the SDK's: it sends the current token). */
export type SocketClientOptions = Partial<Omit<ManagerOptions & SocketOptions, 'auth'>>;

/** What the connection as a whole reports: `forum.live.on(...)`. */
export interface ConnectionEvents {
  /** The socket's status changed (`live` = connected). */
  status: (event: StatusEvent) => void;
  /**
   * How many sockets are connected across all nodes (`online`) and, with
   * `topic`, how many read that topic (`reading`): the front page or a thread.
   */
  presence: ServerToClientEvents['presence'];
  /** Someone replied to the signed-in reader's post or comment. */
  notification: ServerToClientEvents['notification'];
}

export interface ConnectionOptions {
  baseUrl: string;
  getToken: () => string | undefined;
  socket: SocketClientOptions | undefined;
  ackTimeoutMs: number;
  retryDelay: RetryDelay;
}

/**
 * The one socket of a client: opened with the first subscription and closed
 * soon after the last one ends; it routes stream events to topic feeds and
 * resubscribes every feed after each (re)connect.
 */
export class Connection {
  readonly events = new Emitter<ConnectionEvents>();
  readonly #options: ConnectionOptions;
  readonly #feeds = new Map<string, AnyFeed>();
  #socket: LiveSocket | undefined;
  readonly #status = new StatusCell((event) => this.events.emit('status', event));
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ConnectionOptions) {
    this.#options = options;
  }

  get status(): LiveStatus {
    return this.#status.current;
  }

  statusOf(topic: Topic): LiveStatus {
    return this.#feeds.get(topicKey(topic))?.status ?? 'closed';
  }

  /** Adds a listener to a topic, subscribing to it first if needed; returns the function that removes it. */
  listen<T, K extends keyof TopicEvents<T>>(topic: Topic, event: K, listener: TopicEvents<T>[K]): () => void {
    const key = topicKey(topic);
    const existing = this.#feeds.get(key) as TopicFeed<T> | undefined;
    const feed = existing ?? new TopicFeed<T>(topic, this.#options);
    // Listening first, so the listener hears the statuses that starting causes.
    const off = feed.events.on(event, listener);
    if (!existing) {
      this.#feeds.set(key, feed);
      this.#start(feed);
    } else if (feed.status === 'closed') {
      // Refused, or the socket gave up: a new listener tries again rather than wait for a reconnect that may not come.
      this.#start(feed);
    } else if (event === 'snapshot' && feed.status === 'live') {
      // A new snapshot listener needs the whole topic; the others reconcile the repeat harmlessly.
      this.refresh(topic);
    }
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      off();
      if (feed.events.count() === 0 && this.#feeds.get(key) === feed) this.#drop(key, feed);
    };
  }

  /** Asks the server for a fresh snapshot of `topic`, if subscribed and connected. */
  refresh(topic: Topic): void {
    const feed = this.#feeds.get(topicKey(topic));
    if (feed && this.#socket?.connected) feed.subscribe(this.#socket);
  }

  /** Reconnects with the current token (after login or logout), if a socket is open. */
  reconnect(): void {
    if (this.#socket) this.#open();
  }

  /** Closes the socket and forgets every subscription and its listeners. */
  close(): void {
    this.#teardown();
    for (const feed of this.#feeds.values()) feed.stop({ status: 'closed' });
    this.#feeds.clear();
    this.#status.set({ status: 'closed' });
  }

  #start(feed: AnyFeed): void {
    clearTimeout(this.#idleTimer);
    if (this.#socket?.connected) {
      feed.subscribe(this.#socket);
      return;
    }
    // A socket the server disconnected, or that gave up, is not `active`: open a new one.
    if (!this.#socket?.active) {
      this.#open();
      return;
    }
    feed.stop({ status: this.#status.current });
  }

  #drop(key: string, feed: AnyFeed): void {
    feed.stop({ status: 'closed' });
    this.#feeds.delete(key);
    const socket = this.#socket;
    if (socket?.connected && this.#inRoom(roomOf(feed.topic)).length === 0) {
      socket.timeout(this.#options.ackTimeoutMs).emit('unsubscribe', feed.topic, () => {});
    }
    if (this.#feeds.size > 0) return;
    // Deferred, so that switching views (close one, open another) keeps the socket.
    this.#idleTimer = setTimeout(() => {
      if (this.#feeds.size > 0) return;
      this.#teardown();
      this.#status.set({ status: 'closed' });
    }, 0);
  }

  #open(): void {
    this.#teardown();
    const url = resolveUrl(this.#options.baseUrl, this.#options.baseUrl);
    // No socket can open: reported as one that gave up, like every other failure to connect.
    if (url instanceof NetworkError) {
      this.#broadcast({ status: 'closed', error: url });
      return;
    }
    const socket: LiveSocket = io(url.origin, {
      path: `${url.pathname.replace(/\/+$/, '')}/socket.io`,
      // Without it, two clients of one process share a socket, and so a token.
      forceNew: true,
      ...this.#options.socket,
      // A function, so every reconnect sends the token current at that moment.
      auth: (send) => {
        const token = this.#options.getToken();
        // batch: changes of posts come several to a message when the front page is busy (`postpatches`), a vote
        // on a post this socket holds as only what it changed.
        send(token === undefined ? { batch: 'patches' } : { token, batch: 'patches' });
      },
    });
    let connectedAt = 0;
    let kicks = 0;
    socket.on('connect', () => {
      connectedAt = Date.now();
      this.#status.set({ status: 'live' });
      for (const feed of this.#feeds.values()) feed.subscribe(socket);
    });
    socket.on('disconnect', (reason) => {
      if (socket.active) return this.#broadcast({ status: 'reconnecting' });
      // The server closed the socket: it is shutting down (restart, deploy) or
      // dropped this account. socket.io leaves reconnecting to us; a dropped
      // account is then refused at the handshake, which ends in `closed`.
      if (Date.now() - connectedAt > KICK_STREAK_RESET_MS) kicks = 0;
      this.#broadcast({ status: 'reconnecting', error: new NetworkError(`Disconnected by the server (${reason})`) });
      this.#reconnectTimer = setTimeout(() => socket.connect(), this.#options.retryDelay(++kicks));
    });
    socket.on('connect_error', (error) => {
      const data = (error as { data?: unknown }).data;
      const cause = isProblem(data) ? new ApiError(data) : new NetworkError(`Cannot connect: ${error.message}`, { cause: error });
      this.#broadcast({ status: socket.active ? 'reconnecting' : 'closed', error: cause });
    });
    socket.on('poststream', (change) => {
      for (const feed of this.#inRoom(POSTS_ROOM)) feed.receive(change);
    });
    const held = new HeldDocuments<LivePost>();
    socket.on('postpatches', (items) => {
      const feeds = this.#inRoom(POSTS_ROOM);
      let missed = false;
      for (const item of items) {
        const change = held.changeOf(item);
        if (change) for (const feed of feeds) feed.receive(change);
        else missed = true;
      }
      // A patch found its post missing or at another version: a change did not arrive. Subscribing again brings
      // snapshots, and makes the server send this socket every post whole before patching it again.
      if (missed) for (const feed of feeds) feed.subscribe(socket);
    });
    socket.on('commentstream', (change) => {
      const postId = (change.new_val ?? change.old_val)?.postId;
      if (postId === undefined) return;
      for (const feed of this.#inRoom(commentsRoom(postId))) feed.receive(change);
    });
    socket.on('resync', (topic, detail) => {
      for (const feed of this.#inRoom(roomOf(topic))) if (socket.connected) feed.resync(socket, detail?.rewound === true);
    });
    socket.on('presence', (presence) => this.events.emit('presence', presence));
    socket.on('notification', (notification) => this.events.emit('notification', notification));
    this.#socket = socket;
    this.#broadcast({ status: 'connecting' });
  }

  #inRoom(room: string): AnyFeed[] {
    return [...this.#feeds.values()].filter((feed) => roomOf(feed.topic) === room);
  }

  #broadcast(event: StatusEvent): void {
    this.#status.set(event);
    for (const feed of this.#feeds.values()) feed.stop(event);
  }

  #teardown(): void {
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#reconnectTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket) return;
    socket.removeAllListeners();
    socket.disconnect();
  }
}
