import type { LivePost, Post } from '@news-forum/sdk';
import { emit, type Vote } from '../../events/events.js';
import { Votes } from '../votes.js';
import { Controller } from './controller.js';

/** The reader's votes: shown at once, sent in the reader's session, undone when refused, told to their other tabs. */
export class VotesController extends Controller {
  readonly #votes = new Votes();

  /** The reader's vote on a post, counting one being sent. */
  of(id: string): Vote {
    return this.#votes.of(id);
  }

  /** Whether a vote on the post is on its way. */
  sending(id: string): boolean {
    return this.#votes.sending(id);
  }

  /** The post as the reader should see it (see {@link Votes.show}). */
  show(post: LivePost): LivePost {
    return this.#votes.show(post);
  }

  /** Takes the reader's votes and the counts from posts the API returned. */
  learn(posts: readonly Post[]): void {
    this.#votes.learn(posts);
    this.changed();
  }

  /** The reader's vote on a post, as the server answered one of their other tabs (see VoteChannelController). */
  hear(id: string, vote: Vote, version: number): void {
    if (this.#votes.hear(id, vote, version)) this.changed();
  }

  /** Forgets the reader's votes (signed out). */
  clear(): void {
    this.#votes.clear();
    this.changed();
  }

  /** Sends the reader's `vote` (0 retracts) on `post`, the copy shown; asks to sign in first. */
  async cast(post: LivePost, vote: Vote): Promise<void> {
    const { session, view } = this.ui;
    const { forum } = session;
    if (!forum || this.sending(post.id)) return;
    if (!session.user) return view.setPanel('sign-in', 'Sign in to vote.');
    this.#votes.start(post, vote);
    this.changed();
    const signal = session.signal();
    const send = vote === 1 ? forum.posts.upvote : vote === -1 ? forum.posts.downvote : forum.posts.retract;
    const { data, error } = await send(post.id, { signal });
    // Signed out while it was on its way: neither a notice nor an event for the next reader.
    if (signal.aborted) return;
    this.#votes.settle(post.id, data);
    this.changed();
    if (error) return session.report('vote', error, true);
    const mine = data.myVote ?? vote;
    this.ui.voteChannel.tell(post.id, mine, data.version);
    emit(this.host, 'news-forum-vote', { postId: post.id, vote: mine, post: data });
  }
}
