import { type Change, deltaOfChange, HeldDocuments, type LivePost, type PatchOrDelta, patchOfChange } from '@news-forum/protocol';

/**
 * What this node sends the sockets that take `postpatches`. Every such socket
 * holds the posts the node sent since the last time one of them subscribed
 * (its snapshot aside), up to MAX_HELD_POSTS, the most recently sent: the
 * node keeps the same copies, applying what it sends as they do, so an update
 * of a held post goes as a patch and anything else whole. A subscription
 * forgets them all, so a socket that joins gets each post whole once more
 * before patches.
 */
export class PostPatches {
  readonly #capacity: number | undefined;
  #held: HeldDocuments<LivePost>;

  /** `capacity`: posts held at most (tests; MAX_HELD_POSTS by default, as the SDK holds). */
  constructor(capacity?: number) {
    this.#capacity = capacity;
    this.#held = new HeldDocuments(capacity);
  }

  /** A socket subscribed to the posts, or the feed had a gap: no post is held by every socket any more. */
  forget(): void {
    this.#held = new HeldDocuments(this.#capacity);
  }

  /** What goes out for `change`. */
  encode(change: Change<LivePost>): PatchOrDelta<LivePost> {
    const { new_val: after } = change;
    const patch = after && this.#held.has(after.id) ? patchOfChange(change) : undefined;
    // A patch the sockets could not apply (a base other than what they hold) goes whole instead.
    if (patch && this.#held.changeOf(patch)) return patch;
    const delta = deltaOfChange(change);
    this.#held.changeOf(delta);
    return delta;
  }
}
