import { type Change, changeOfDelta, changeOfPatch, isPatch, type LivePost, type PatchOrDelta } from '@news-forum/protocol';

/**
 * The last version of each post one socket was sent, to which the patches of
 * `postpatches` apply. The server sends a socket each post whole after it
 * subscribes, before any patch of that post.
 */
export class HeldPosts {
  readonly #posts = new Map<string, LivePost>();

  /** The change an item of `postpatches` carries; undefined for a patch of a post not held at its base version. */
  changeOf(item: PatchOrDelta<LivePost>): Change<LivePost> | undefined {
    const change = isPatch(item) ? changeOfPatch(this.#posts.get(item.id), item) : changeOfDelta(item);
    if (change?.new_val) this.#posts.set(change.new_val.id, change.new_val);
    else if (change?.old_val) this.#posts.delete(change.old_val.id);
    return change;
  }
}
