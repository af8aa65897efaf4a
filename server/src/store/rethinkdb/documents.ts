import { hotRank } from '@news-forum/protocol';
import type { StoredComment, StoredPost, UserRecord, Vote } from '../store.js';

/**
 * A post as stored: the API's fields, plus `hot` (the protocol's hotRank of
 * the counters, indexed for the hot order) and `rankedScore`, the score that
 * `hot` was computed for. They differ only for a moment after concurrent
 * votes (or after a crash, until the recount): see counters.ts.
 */
export interface PostDoc extends StoredPost {
  hot: number;
  rankedScore: number;
}

export type CommentDoc = StoredComment;
/** An account as stored; written before session versions existed, it has none (0). */
export type UserDoc = Omit<UserRecord, 'sessionVersion'> & { sessionVersion?: number };

export interface VoteDoc {
  /** `<postId>/<login>`: one vote per post and account, written atomically by key. */
  id: string;
  postId: string;
  login: string;
  value: Exclude<Vote, 0>;
}

export interface IdempotencyDoc {
  /** Hash of (owner, key): primary keys are limited to 127 bytes. */
  id: string;
  owner: string;
  /** The key itself, for backups (absent from keys written before backups existed). */
  key?: string;
  requestHash: string;
  resourceId: string;
  /** The resource has been created (until then, a repeat waits). */
  done: boolean;
  createdAt: string;
}

export function voteId(postId: string, login: string): string {
  return `${postId}/${login}`;
}

/** The post as the API and the feeds show it. */
export function toPost(doc: PostDoc): StoredPost;
export function toPost(doc: PostDoc | null): StoredPost | null;
export function toPost(doc: PostDoc | null): StoredPost | null {
  if (doc === null) return null;
  const { hot: _hot, rankedScore: _ranked, ...post } = doc;
  return post;
}

/** The hot rank of a post with `score` created at `createdAt`: the protocol's function, as the SQL stores use. */
export function rankOf(score: number, createdAt: string): number {
  return hotRank({ upvotes: Math.max(score, 0), downvotes: Math.max(-score, 0), createdAt });
}
