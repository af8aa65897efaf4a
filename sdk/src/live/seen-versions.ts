import type { Change } from '@news-forum/protocol';
import type { Versioned } from './view-state.js';

/** How many documents' versions a feed remembers; the oldest are forgotten first. */
const REMEMBERED = 10_000;

/**
 * The newest version of each document a feed has delivered or snapshotted,
 * so that a change arriving twice (two nodes' feeds overlap after a
 * reconnect) or late is delivered once. A deletion ranks just after the
 * version it deleted: a later version is new again, since readers see a
 * moderator's hide as a deletion and the restore as an insert.
 */
export class SeenVersions {
  readonly #versions = new Map<string, number>();

  // Documents the snapshot lacks are forgotten: a node whose snapshot lags streams them again, and listeners that
  // took the snapshot need them. Their deletions are kept, as the snapshot agrees with those.
  recordSnapshot(docs: readonly Versioned[]): void {
    const held = new Set(docs.map((doc) => doc.id));
    for (const [id, version] of this.#versions) if (!held.has(id) && Number.isInteger(version)) this.#versions.delete(id);
    for (const doc of docs) this.#record(doc.id, doc.version);
  }

  /** Whether `change` is newer than what was seen of its document; if so, it is recorded. */
  isNew(change: Change<Versioned>): boolean {
    const doc = change.new_val ?? change.old_val;
    if (!doc) return false;
    // Versions are integers, so half a step orders the deletion after its version and before the next.
    const version = change.new_val ? doc.version : doc.version + 0.5;
    if (version <= (this.#versions.get(doc.id) ?? Number.NEGATIVE_INFINITY)) return false;
    this.#record(doc.id, version);
    return true;
  }

  #record(id: string, version: number): void {
    const known = this.#versions.get(id);
    if (known !== undefined && known >= version) return;
    // Re-inserting moves the id to the end, so the least recently changed are forgotten first.
    this.#versions.delete(id);
    this.#versions.set(id, version);
    if (this.#versions.size > REMEMBERED) {
      const oldest = this.#versions.keys().next();
      if (!oldest.done) this.#versions.delete(oldest.value);
    }
  }
}
