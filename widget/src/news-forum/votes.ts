import type { LivePost, Post } from '@news-forum/sdk';
import type { Vote } from '../events/events.js';

/**
 * The reader's own votes and their arithmetic. Live posts carry no
 * `myVote`, so votes are learnt from REST answers (and from the reader's
 * other tabs), each with the post's version then: an older one changes
 * nothing. A vote being sent is counted at once, until the server's answer
 * settles it.
 */
export class Votes {
  /** The reader's vote on each post, with the version of the post that told it. */
  readonly #mine = new Map<string, { vote: Vote; version: number }>();
  /** Votes being sent, with the version of the post shown when each was cast. */
  readonly #sending = new Map<string, { vote: Vote; version: number }>();
  // The newest copy of each post a REST answer brought, for while it is ahead of the stream.
  readonly #fresh = new Map<string, LivePost>();

  /** Takes the reader's votes (and the counts) from posts the API returned. */
  learn(posts: readonly Post[]): void {
    for (const { myVote, ...post } of posts) {
      if (myVote !== undefined) this.hear(post.id, myVote, post.version);
      if ((this.#fresh.get(post.id)?.version ?? -1) < post.version) this.#fresh.set(post.id, post);
    }
  }

  /**
   * Takes the reader's `vote` on a post as the server told it at the post's `version`,
   * unless what is known is newer; returns whether the vote known changed.
   */
  hear(id: string, vote: Vote, version: number): boolean {
    const known = this.#mine.get(id);
    if (known && known.version > version) return false;
    this.#mine.set(id, { vote, version });
    return (known?.vote ?? 0) !== vote;
  }

  /** The reader's vote on a post, counting one being sent. */
  of(id: string): Vote {
    return this.#sending.get(id)?.vote ?? this.#mine.get(id)?.vote ?? 0;
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
    const before = this.#mine.get(post.id)?.vote ?? 0;
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
