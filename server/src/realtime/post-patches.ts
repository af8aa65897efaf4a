import { type Change, deltaOfChange, type LivePost, type PatchOrDelta, patchOfChange } from '@news-forum/protocol';

/**
 * What this node sends the sockets that take `postpatches`. Every such socket
 * holds the posts the node sent whole since the last time one of them
 * subscribed (its snapshot aside): an update of one of those goes as a patch,
 * anything else whole, after which it is held. A subscription forgets them
 * all, so a socket that joins gets each post whole once more before patches.
 */
export class PostPatches {
  readonly #held = new Set<string>();

  /** A socket subscribed to the posts, or the feed had a gap: no post is held by every socket any more. */
  forget(): void {
    this.#held.clear();
  }

  /** What goes out for `change`. */
  encode(change: Change<LivePost>): PatchOrDelta<LivePost> {
    const { new_val: after, old_val: before } = change;
    if (after === null) {
      if (before) this.#held.delete(before.id);
      return deltaOfChange(change);
    }
    const patch = this.#held.has(after.id) ? patchOfChange(change) : undefined;
    if (patch) return patch;
    this.#held.add(after.id);
    return deltaOfChange(change);
  }
}
