import type { Comment, LivePost, NewsForumClient } from '@news-forum/sdk';
import { count } from './format.js';
import type { LiveHost } from './front-page.js';
import type { Votes } from './votes.js';

/** One post and its comments, both live. */
export class Thread {
  /** Id of the post shown, if any. */
  id: string | undefined;
  post: LivePost | undefined;
  /** `gone`: deleted, or never existed. */
  state: 'loading' | 'ready' | 'gone' = 'loading';
  /** Oldest first; undefined until loaded. */
  comments: readonly Comment[] | undefined;
  /** Comments being deleted, hidden until the server answers. */
  readonly hidden = new Set<string>();
  #abort: AbortController | undefined;
  #stopChanges: (() => void) | undefined;
  readonly #host: LiveHost;
  readonly #votes: Votes;
  readonly #me: () => string | undefined;

  constructor(host: LiveHost, votes: Votes, me: () => string | undefined) {
    this.#host = host;
    this.#votes = votes;
    this.#me = me;
  }

  start(forum: NewsForumClient, id: string): void {
    this.stop();
    this.id = id;
    const abort = (this.#abort = new AbortController());
    this.load(forum);
    this.#stopChanges = forum.live.posts.on('change', ({ old_val: before, new_val: after }) => {
      if (after?.id === id) this.#take(after);
      else if (!after && before?.id === id) this.#gone();
    });
    forum.live.comments(id).watch({ signal: abort.signal }).subscribe(
      (items) => this.#takeComments(items),
      (error) => (error.status === 404 ? this.#gone() : this.#host.failed('live', error)),
    );
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    this.#stopChanges?.();
    this.#stopChanges = undefined;
    this.id = this.post = this.comments = undefined;
    this.state = 'loading';
    this.hidden.clear();
  }

  /** Fetches the post (with the reader's vote): on opening, after signing in, after reconnecting. */
  load(forum: NewsForumClient): void {
    const signal = this.#abort?.signal;
    if (!this.id || !signal) return;
    void forum.posts.get(this.id, { signal }).then(({ data, error }) => {
      if (signal.aborted) return;
      if (error?.status === 404) return this.#gone();
      if (error) return this.#host.failed('load', error);
      this.#votes.learn([data]);
      this.#take(data);
    });
  }

  #take(post: LivePost): void {
    if (this.state === 'gone' || (this.post && this.post.version >= post.version)) return;
    this.post = post;
    this.state = 'ready';
    this.#host.changed();
  }

  #gone(): void {
    this.state = 'gone';
    this.post = undefined;
    this.#host.changed();
  }

  #takeComments(items: readonly Comment[]): void {
    const known = this.comments && new Set(this.comments.map((comment) => comment.id));
    const me = this.#me();
    const arrived = known ? items.filter((comment) => !known.has(comment.id) && comment.author !== me) : [];
    this.comments = items;
    if (arrived.length === 1) this.#host.announce(`New comment by ${arrived[0]!.author}`);
    else if (arrived.length > 1) this.#host.announce(`${count(arrived.length, 'new comment')}`);
    this.#host.changed();
  }
}
