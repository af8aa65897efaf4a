import { type ManagerOptions, type SocketOptions } from 'socket.io-client';
import type { RetryDelay } from '../rest/backoff.js';
import { Emitter } from './emitter.js';
import type { ServerToClientEvents, Topic } from './events.js';
import { type LiveStatus, type StatusEvent } from './status.js';
import { type TopicEvents } from './topic-feed.js';
/** socket.io-client options the SDK passes through (`auth` is the SDK's: it sends the current token). */
export type SocketClientOptions = Partial<Omit<ManagerOptions & SocketOptions, 'auth'>>;
/** What the connection as a whole reports: `forum.live.on(...)`. */
export interface ConnectionEvents {
    /** The socket's status changed (`live` = connected). */
    status: (event: StatusEvent) => void;
    /** How many sockets are connected across all nodes. */
    presence: ServerToClientEvents['presence'];
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
export declare class Connection {
    #private;
    readonly events: Emitter<ConnectionEvents>;
    constructor(options: ConnectionOptions);
    get status(): LiveStatus;
    statusOf(topic: Topic): LiveStatus;
    /** Adds a listener to a topic, subscribing to it first if needed; returns the function that removes it. */
    listen<T, K extends keyof TopicEvents<T>>(topic: Topic, event: K, listener: TopicEvents<T>[K]): () => void;
    /** Asks the server for a fresh snapshot of `topic`, if subscribed and connected. */
    refresh(topic: Topic): void;
    /** Reconnects with the current token (after login or logout), if a socket is open. */
    reconnect(): void;
    /** Closes the socket and forgets every subscription and its listeners. */
    close(): void;
}
//# sourceMappingURL=connection.d.ts.map