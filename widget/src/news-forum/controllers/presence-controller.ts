import type { NewsForumClient, Presence } from '@news-forum/sdk';
import { Controller } from './controller.js';

/** How many read the front page and each thread, as the server counts them across its nodes, kept live. */
export class PresenceController extends Controller {
  /** Readers of the front page, once the server has told. */
  front: number | undefined;
  readonly #threads = new Map<string, number>();
  #forum: NewsForumClient | undefined;
  #stop: (() => void) | undefined;

  /** Readers of a post's thread, once the server has told. */
  thread(postId: string): number | undefined {
    return this.#threads.get(postId);
  }

  hostUpdate(): void {
    const { forum } = this.ui.session;
    if (forum === this.#forum) return;
    this.#stop?.();
    this.#forum = forum;
    this.front = undefined;
    this.#threads.clear();
    this.#stop = forum?.live.on('presence', (presence) => this.#update(presence));
  }

  #update({ topic, reading }: Presence): void {
    if (!topic || reading === undefined) return;
    if (topic.topic === 'posts') this.front = reading;
    else this.#threads.set(topic.postId, reading);
    this.changed();
  }
}
