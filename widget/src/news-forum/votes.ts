import type { LivePost, Post } from '@news-forum/sdk';
import type { Vote } from '../events/events.js';

/**
 * The reader's own votes and their arithmetic. Live posts carry no
 * `myVote`, so votes are learnt from REST answers. A vote being sent is
 * counted at once, until the server's answer settles it.
 */
export class Votes {
  readonly #mine = new Map<string, Vote>();
  /** Votes being sent, with the version of the post shown when each was cast. */
  readonly #sending = new Map<string, { vote: Vote; version: number }>();
  // The newest copy of each post a REST answer brought, for while it is ahead of the stream.
  readonly #fresh = new Map<string, LivePost>();

  /** Takes the reader's votes (and the counts) from posts the API returned. */
  learn(posts: readonly Post[]): void {
    for (const { myVote, ...post } of posts) {
      if (myVote !== undefined) this.#mine.set(post.id, myVote);
      if ((this.#fresh.get(post.id)?.version ?? -1) < post.version) this.#fresh.set(post.id, post);
    }
  }

  /** The reader's vote on a post, counting one being sent. */
  of(id: string): Vote {
    return this.#sending.get(id)?.vote ?? this.#mine.get(id) ?? 0;
  }

  /** Whether a vote on the post is on its way. */
  sending(id: string): boolean {
    return this.#sending.has(id);
  }

  /**
   * The post as the reader should see it: the newest copy known, with a vote
   * being sent counted, but only onto copies from before the vote was cast: a
   * newer copy (from the stream) may already count it.
   */
  show(post: LivePost): LivePost {
    const fresh = this.#fresh.get(post.id);
    const base = fresh && fresh.version > post.version ? fresh : post;
    const sending = this.#sending.get(post.id);
    if (sending === undefined || base.version > sending.version) return base;
    const next = sending.vote;
    const before = this.#mine.get(post.id) ?? 0;
    const upvotes = base.upvotes + Number(next === 1) - Number(before === 1);
    const downvotes = base.downvotes + Number(next === -1) - Number(before === -1);
    return { ...base, upvotes, downvotes, score: upvotes - downvotes };
  }

  /** Counts `vote` (0 retracts) on `post`, the copy shown, until {@link settle}. */
  start(post: LivePost, vote: Vote): void {
    this.#sending.set(post.id, { vote, version: this.show(post).version });
  }

  /** The server answered the vote on `id`: with the post, or refused it (the vote is undone). */
  settle(id: string, post: Post | undefined): void {
    this.#sending.delete(id);
    if (post) this.learn([post]);
  }

  /** Forgets the reader's votes (signed out). */
  clear(): void {
    this.#mine.clear();
    this.#sending.clear();
  }
}
