import type { LivePost, NewsForumClient, Post, Result } from '@news-forum/sdk';
import type { Vote } from '../events/events.js';

/**
 * The reader's own votes. Live posts carry no `myVote`, so votes are learnt
 * from REST answers. A vote being sent shows at once and is undone when the
 * server refuses it.
 */
export class Votes {
  readonly #mine = new Map<string, Vote>();
  /** Votes being sent, with the version of the post shown when each was cast. */
  readonly #sending = new Map<string, { vote: Vote; version: number }>();
  // The newest copy of each post a REST answer brought, for while it is ahead of the stream.
  readonly #fresh = new Map<string, LivePost>();
  readonly #changed: () => void;
  #session = 0;

  constructor(changed: () => void) {
    this.#changed = changed;
  }

  /** Counts sign-outs: an answer to a request made in an earlier session is dropped. */
  get session(): number {
    return this.#session;
  }

  /** Takes the reader's votes (and the counts) from posts the API returned to a request made in `session`. */
  learn(posts: readonly Post[], session = this.#session): void {
    if (session !== this.#session) return;
    for (const { myVote, ...post } of posts) {
      if (myVote !== undefined) this.#mine.set(post.id, myVote);
      if ((this.#fresh.get(post.id)?.version ?? -1) < post.version) this.#fresh.set(post.id, post);
    }
    this.#changed();
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

  /**
   * Sends a vote (0 retracts) on `post`, the copy shown; shown at once,
   * rolled back if the server refuses.
   */
  async cast(forum: NewsForumClient, post: LivePost, vote: Vote): Promise<Result<Post>> {
    const { id } = post;
    const session = this.#session;
    this.#sending.set(id, { vote, version: this.show(post).version });
    this.#changed();
    const send = vote === 1 ? forum.posts.upvote : vote === -1 ? forum.posts.downvote : forum.posts.retract;
    const result = await send(id);
    // Signed out meanwhile: the answer is another session's.
    if (session !== this.#session) return result;
    this.#sending.delete(id);
    if (result.data) this.learn([result.data]);
    else this.#changed();
    return result;
  }

  /** Forgets the reader's votes (signed out), and starts a new session. */
  clear(): void {
    this.#session += 1;
    this.#mine.clear();
    this.#sending.clear();
    this.#changed();
  }
}
