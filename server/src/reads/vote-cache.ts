import type { Store, StoredPost, Vote } from '../store/store.js';

interface Known {
  vote: Vote;
  /** The post's version when the vote was known: any later vote on the post changes the version. */
  version: number;
}

/**
 * Readers' own votes, so a signed-in reader's page from memory needs no
 * database round trip. Votes are not in the change feed, but every change
 * of a vote bumps the post's `version`, which the feed carries: a vote known
 * at the version the page shows is still the reader's vote at that version.
 * Posts whose version moved on are read again, all in one query.
 */
export class VoteCache {
  readonly #store: Store;
  readonly #maxAccounts: number;
  readonly #perAccount: number;
  readonly #accounts = new Map<string, Map<string, Known>>();

  constructor(store: Store, maxAccounts = 2000, perAccount = 1000) {
    this.#store = store;
    this.#maxAccounts = maxAccounts;
    this.#perAccount = perAccount;
  }

  /** `login`'s vote on each of `posts`, as of the versions given. */
  async votes(login: string, posts: readonly StoredPost[]): Promise<Map<string, Vote>> {
    const known = this.#account(login);
    const stale = posts.filter((post) => known.get(post.id)?.version !== post.version);
    if (stale.length > 0) {
      const read = await this.#store.getVotes(
        login,
        stale.map((post) => post.id),
      );
      for (const post of stale) this.#set(known, post.id, { vote: read.get(post.id) ?? 0, version: post.version });
    }
    return new Map(posts.map((post) => [post.id, known.get(post.id)?.vote ?? 0]));
  }

  /** This node wrote `login`'s vote, which left the post at `version`. */
  wrote(login: string, postId: string, vote: Vote, version: number): void {
    this.#set(this.#account(login), postId, { vote, version });
  }

  #account(login: string): Map<string, Known> {
    const known = this.#accounts.get(login) ?? new Map<string, Known>();
    // Most recently used last: the first account is the one to forget.
    this.#accounts.delete(login);
    this.#accounts.set(login, known);
    if (this.#accounts.size > this.#maxAccounts) this.#accounts.delete(this.#accounts.keys().next().value as string);
    return known;
  }

  #set(known: Map<string, Known>, postId: string, value: Known): void {
    known.delete(postId);
    known.set(postId, value);
    if (known.size > this.#perAccount) known.delete(known.keys().next().value as string);
  }
}
