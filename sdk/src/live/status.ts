import type { NewsForumError } from '../errors/news-forum-error.js';

/**
 * State of the live connection or of one subscription:
 * - `connecting`: opening the socket, or waiting for the subscription's snapshot;
 * - `live`: connected (and, for a subscription, snapshot received: changes flow);
 * - `reconnecting`: connection lost, retrying with backoff (changes are caught up by a fresh snapshot);
 * - `closed`: not connected and not retrying (`forum.close()`, disconnected by the server, refused, or `baseUrl` is not a URL).
 */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** A status change, with the error that caused it, if any. */
export interface StatusEvent {
  status: LiveStatus;
  error?: NewsForumError;
}

/** A current status that reports each change, and every error even when the status stays. */
export class StatusCell {
  #status: LiveStatus = 'closed';
  readonly #report: (event: StatusEvent) => void;

  constructor(report: (event: StatusEvent) => void) {
    this.#report = report;
  }

  get current(): LiveStatus {
    return this.#status;
  }

  set(event: StatusEvent): void {
    if (event.status === this.#status && !event.error) return;
    this.#status = event.status;
    this.#report(event);
  }
}
