import { MAX_HELD_POSTS } from './constants.js';
import { changeOfDelta, changeOfPatch, isPatch, type PatchOrDelta } from './deltas.js';
import type { Change } from './events.js';

/**
 * The last version of each document one socket was sent, to which the
 * patches of `postpatches` apply: at most `capacity` of them, those most
 * recently sent (MAX_HELD_POSTS, as the server counts them). The server sends
 * a socket each post whole after it subscribes, before any patch of that post,
 * and again after it has left the held ones.
 *
 * @example
 * const held = new HeldDocuments<LivePost>();
 * socket.on('postpatches', (items) => {
 *   for (const item of items) {
 *     const change = held.changeOf(item);
 *     if (change) render(change);
 *     else resubscribe(); // a change went missing
 *   }
 * });
 */
export class HeldDocuments<T extends { id: string; version: number }> {
  readonly #capacity: number;
  /** In the order they were last sent, least recent first. */
  readonly #documents = new Map<string, T>();

  constructor(capacity = MAX_HELD_POSTS) {
    this.#capacity = capacity;
  }

  /** Whether a patch of document `id` can apply. */
  has(id: string): boolean {
    return this.#documents.has(id);
  }

  /** The change an item carries; undefined for a patch of a document not held at its base version. */
  changeOf(item: PatchOrDelta<T>): Change<T> | undefined {
    const change = isPatch(item) ? changeOfPatch(this.#documents.get(item.id), item) : changeOfDelta(item);
    const after = change?.new_val;
    if (after) {
      this.#documents.delete(after.id);
      this.#documents.set(after.id, after);
      // Both ends drop the same one: the server counts what it sent as every socket does.
      if (this.#documents.size > this.#capacity) this.#documents.delete(this.#documents.keys().next().value as string);
    } else if (change?.old_val) this.#documents.delete(change.old_val.id);
    return change;
  }
}
