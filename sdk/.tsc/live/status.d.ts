import type { NewsForumError } from '../errors/news-forum-error.js';
/**
 * State of the live connection or of one subscription:
 * - `connecting`: opening the socket, or waiting for the subscription's snapshot;
 * - `live`: connected (and, for a subscription, snapshot received: changes flow);
 * - `reconnecting`: connection lost, retrying with backoff (changes are caught up by a fresh snapshot);
 * - `closed`: not connected and not retrying (`forum.close()`, disconnected by the server, or refused).
 */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';
/** A status change, with the error that caused it, if any. */
export interface StatusEvent {
    status: LiveStatus;
    error?: NewsForumError;
}
/** A current status that reports each change, and every error even when the status stays. */
export declare class StatusCell {
    #private;
    constructor(report: (event: StatusEvent) => void);
    get current(): LiveStatus;
    set(event: StatusEvent): void;
}
//# sourceMappingURL=status.d.ts.map