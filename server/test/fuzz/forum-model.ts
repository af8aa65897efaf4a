/**
 * What the forum should hold, as the stateful fuzz believes it: accounts
 * (each incarnation of a login an identity of its own), posts with their
 * votes and comments. Commands change it only when the server said the
 * write happened.
 */
export interface ModelAccount {
  login: string;
  password: string;
  /** Bumped each time the login is created again: tokens of an earlier one are dead. */
  incarnation: number;
  admin: boolean;
}

export interface ModelToken {
  login: string;
  incarnation: number;
  token: string;
}

export interface ModelPost {
  id: string;
  author: string;
  votes: Map<string, 1 | -1>;
}

export interface ModelComment {
  id: string;
  postId: string;
  parentId: string | null;
  author: string;
}

export class ForumModel {
  readonly accounts = new Map<string, ModelAccount>();
  readonly posts = new Map<string, ModelPost>();
  readonly comments = new Map<string, ModelComment>();
  /** Every token issued, live or dead. */
  readonly tokens: ModelToken[] = [];
  #incarnations = new Map<string, number>();

  /** True when the token belongs to an account that still exists as the same incarnation. */
  live(token: ModelToken | undefined): boolean {
    const account = token && this.accounts.get(token.login);
    return account !== undefined && account.incarnation === token!.incarnation;
  }

  isAdmin(token: ModelToken): boolean {
    return this.accounts.get(token.login)?.admin === true;
  }

  addAccount(login: string, password: string, admin = false): void {
    const incarnation = (this.#incarnations.get(login) ?? 0) + 1;
    this.#incarnations.set(login, incarnation);
    this.accounts.set(login, { login, password, incarnation, admin });
  }

  counters(postId: string): { upvotes: number; downvotes: number; score: number; commentCount: number } {
    const post = this.posts.get(postId)!;
    const values = [...post.votes.values()];
    const upvotes = values.filter((v) => v === 1).length;
    const downvotes = values.filter((v) => v === -1).length;
    const commentCount = [...this.comments.values()].filter((c) => c.postId === postId).length;
    return { upvotes, downvotes, score: upvotes - downvotes, commentCount };
  }

  removeComment(id: string): void {
    this.comments.delete(id);
    for (const reply of [...this.comments.values()]) if (reply.parentId === id) this.removeComment(reply.id);
  }

  removePost(id: string): void {
    this.posts.delete(id);
    for (const comment of [...this.comments.values()]) if (comment.postId === id) this.comments.delete(comment.id);
  }

  /** An account's deletion: its posts (with their comments), its comments (with replies), its votes. */
  removeAccount(login: string): void {
    this.accounts.delete(login);
    for (const post of [...this.posts.values()]) if (post.author === login) this.removePost(post.id);
    for (const comment of [...this.comments.values()])
      if (comment.author === login && this.comments.has(comment.id)) this.removeComment(comment.id);
    for (const post of this.posts.values()) post.votes.delete(login);
  }

  commentsOf(postId: string): string[] {
    return [...this.comments.values()].filter((c) => c.postId === postId).map((c) => c.id);
  }
}
