import type { Post, User } from '@news-forum/protocol';
import type { Caller } from '../auth/caller.js';
import type { Services } from '../services.js';
import type { StoredPost, UserRecord, Vote } from '../store/store.js';

/** An account as the API shows it: never the password hash. */
export function publicUser(user: UserRecord): User {
  return { login: user.login, displayName: user.displayName, scopes: user.scopes, createdAt: user.createdAt };
}

/** Adds the caller's own vote to each post (only when there is a caller). */
export async function withMyVotes(posts: StoredPost[], caller: Caller | undefined, services: Services): Promise<Post[]> {
  if (!caller) return posts;
  const votes = await services.store.getVotes(
    caller.login,
    posts.map((p) => p.id),
  );
  return posts.map((post) => ({ ...post, myVote: votes.get(post.id) ?? 0 }));
}

/** Adds the caller's own vote to one post (only when there is a caller). */
export async function withMyVoteOf(post: StoredPost, caller: Caller | undefined, services: Services): Promise<Post> {
  if (!caller) return post;
  const votes = await services.store.getVotes(caller.login, [post.id]);
  return withMyVote(post, votes.get(post.id) ?? 0);
}

export function withMyVote(post: StoredPost, vote: Vote): Post {
  return { ...post, myVote: vote };
}
