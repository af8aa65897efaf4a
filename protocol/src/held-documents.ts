import { changeOfDelta, changeOfPatch, isPatch, type PatchOrDelta } from './deltas.js';
import type { Change } from './events.js';

/**
 * The last version of each document one socket was sent, to which the
 * patches of `postpatches` apply. The server sends a socket each post whole
 * after it subscribes, before any patch of that post.
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
  readonly #documents = new Map<string, T>();

  /** The change an item carries; undefined for a patch of a document not held at its base version. */
  changeOf(item: PatchOrDelta<T>): Change<T> | undefined {
    const change = isPatch(item) ? changeOfPatch(this.#documents.get(item.id), item) : changeOfDelta(item);
    if (change?.new_val) this.#documents.set(change.new_val.id, change.new_val);
    else if (change?.old_val) this.#documents.delete(change.old_val.id);
    return change;
  }
}
