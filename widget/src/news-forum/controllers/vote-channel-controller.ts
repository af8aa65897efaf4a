import type { Vote } from '../../events/events.js';
import { Controller } from './controller.js';

/** The channel's name, the same in every tab of the page's origin. */
const NAME = 'news-forum-votes';

/** A reader's vote as the server answered it, told to their other tabs: never their token. */
interface VoteMessage {
  /** The forum (`api`, resolved) and the account signed in to it. */
  forum: string;
  login: string;
  postId: string;
  vote: Vote;
  /** The post's version in the server's answer. */
  version: number;
}

/**
 * The reader's own votes, shared with their other tabs of this browser (and other elements of the page) signed in to
 * the same forum as the same account, over a `BroadcastChannel`: the live stream carries the counts but not who
 * voted, and each tab holds its own token, in memory. Nothing is stored. Without `BroadcastChannel`, each tab learns
 * only its own votes.
 */
export class VoteChannelController extends Controller {
  #channel: BroadcastChannel | undefined;

  override hostConnected(): void {
    if (typeof BroadcastChannel !== 'function' || this.#channel) return;
    this.#channel = new BroadcastChannel(NAME);
    this.#channel.onmessage = ({ data }: MessageEvent<Partial<VoteMessage> | null>) => this.#hear(data ?? {});
  }

  hostDisconnected(): void {
    this.#channel?.close();
    this.#channel = undefined;
  }

  /** Tells the reader's other tabs of their `vote` on a post, as the server answered it at the post's `version`. */
  tell(postId: string, vote: Vote, version: number): void {
    const { base, user } = this.ui.session;
    if (!base || !user) return;
    const message: VoteMessage = { forum: base, login: user.login, postId, vote, version };
    this.#channel?.postMessage(message);
  }

  /**
   * Another tab's vote: taken for the same forum and account only (and from the same kind of message: another
   * version of the element may share the origin), unless this tab knows a newer one.
   */
  #hear({ forum, login, postId, vote, version }: Partial<VoteMessage>): void {
    const { base, user } = this.ui.session;
    if (!base || !user || forum !== base || login !== user.login || typeof postId !== 'string') return;
    if ((vote === 1 || vote === 0 || vote === -1) && typeof version === 'number') this.ui.votes.hear(postId, vote, version);
  }
}
