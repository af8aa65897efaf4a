import type { LivePost, NewsForumClient, Post, Result } from '@news-forum/sdk';
import type { Vote } from '../events/events.js';

/**
 * The reader's own votes. Live posts carry no `myVote`, so votes are learnt
 * from REST answers. A vote being sent shows at once and is undone when the
 * server refuses it.
 */
export class Votes {
  readonly #mine = new Map<string, Vote>();
  readonly #sending = new Map<string, Vote>();
  // The newest copy of each post a REST answer brought, for while it is ahead of the stream.
  readonly #fresh = new Map<string, LivePost>();
  readonly #changed: () => void;

  constructor(changed: () => void) {
    this.#changed = changed;
  }

  /** Takes the reader's votes (and the counts) from posts the API returned. */
  learn(posts: readonly Post[]): void {
    for (const { myVote, ...post } of posts) {
      if (myVote !== undefined) this.#mine.set(post.id, myVote);
      if ((this.#fresh.get(post.id)?.version ?? -1) < post.version) this.#fresh.set(post.id, post);
    }
    this.#changed();
  }

  /** The reader's vote on a post, counting one being sent. */
  of(id: string): Vote {
    return this.#sending.get(id) ?? this.#mine.get(id) ?? 0;
  }

  /** Whether a vote on the post is on its way. */
  sending(id: string): boolean {
    return this.#sending.has(id);
  }

  /** The post as the reader should see it: the newest copy known, with a vote being sent counted. */
  show(post: LivePost): LivePost {
    const fresh = this.#fresh.get(post.id);
    const base = fresh && fresh.version > post.version ? fresh : post;
    const next = this.#sending.get(post.id);
    if (next === undefined) return base;
    const before = this.#mine.get(post.id) ?? 0;
    const upvotes = base.upvotes + Number(next === 1) - Number(before === 1);
    const downvotes = base.downvotes + Number(next === -1) - Number(before === -1);
    return { ...base, upvotes, downvotes, score: upvotes - downvotes };
  }

  /** Sends a vote (0 retracts); shown at once, rolled back if the server refuses. */
  async cast(forum: NewsForumClient, id: string, vote: Vote): Promise<Result<Post>> {
    this.#sending.set(id, vote);
    this.#changed();
    const send = vote === 1 ? forum.posts.upvote : vote === -1 ? forum.posts.downvote : forum.posts.retract;
    const result = await send(id);
    this.#sending.delete(id);
    if (result.data) this.learn([result.data]);
    else this.#changed();
    return result;
  }

  /** Forgets the reader's votes (signed out). */
  clear(): void {
    this.#mine.clear();
    this.#changed();
  }
}
