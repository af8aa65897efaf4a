import { POSTS_ROOM, topicOfRoom } from '@news-forum/protocol';

/**
 * This node's readers of the front page: sockets in the posts room that
 * read no thread. A reader with a post open keeps the posts room (the
 * open post's votes come through it) but reads the thread, so it counts
 * there only. Kept from the adapter's join and leave events, O(1) each.
 */
export class FrontReaders {
  count = 0;
  readonly #inPosts = new Set<string>();
  /** How many threads each socket reads, for sockets that read any. */
  readonly #threads = new Map<string, number>();

  joined(room: string, id: string): void {
    if (room === POSTS_ROOM) {
      this.#inPosts.add(id);
      if (!this.#threads.has(id)) this.count += 1;
    } else if (topicOfRoom(room)) {
      const threads = this.#threads.get(id) ?? 0;
      this.#threads.set(id, threads + 1);
      if (threads === 0 && this.#inPosts.has(id)) this.count -= 1;
    }
  }

  left(room: string, id: string): void {
    if (room === POSTS_ROOM) {
      this.#inPosts.delete(id);
      if (!this.#threads.has(id)) this.count -= 1;
    } else if (topicOfRoom(room)) {
      const threads = (this.#threads.get(id) ?? 1) - 1;
      if (threads > 0) this.#threads.set(id, threads);
      else {
        this.#threads.delete(id);
        if (this.#inPosts.has(id)) this.count += 1;
      }
    }
  }
}
