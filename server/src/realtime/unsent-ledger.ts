import { limitKey } from '../policy/client-address.js';
import type { ForumSocket } from './forum-socket.js';

/**
 * What the sockets of each client (by the key the request limits group
 * addresses by) and of the whole node hold unsent: as the periodic check of
 * every socket last counted it, plus what was queued since. A subscription
 * is weighed against it without going over every socket of the node.
 */
export class UnsentLedger {
  readonly #keys = new WeakMap<ForumSocket, string>();
  #byClient = new Map<string, number>();
  #all = 0;

  /** Forgets the last count: `count` then adds each socket's unsent bytes. */
  reset(): void {
    this.#byClient = new Map();
    this.#all = 0;
  }

  /** Adds what `socket` holds unsent (counted) or was just given to send (queued). */
  count(socket: ForumSocket, bytes: number): void {
    if (bytes <= 0) return;
    const key = this.#keyOf(socket);
    this.#byClient.set(key, (this.#byClient.get(key) ?? 0) + bytes);
    this.#all += bytes;
  }

  /** What the client of `socket` and the whole node hold unsent. */
  held(socket: ForumSocket): { client: number; all: number } {
    return { client: this.#byClient.get(this.#keyOf(socket)) ?? 0, all: this.#all };
  }

  #keyOf(socket: ForumSocket): string {
    let key = this.#keys.get(socket);
    if (key === undefined) {
      key = limitKey(socket.data.address);
      this.#keys.set(socket, key);
    }
    return key;
  }
}
