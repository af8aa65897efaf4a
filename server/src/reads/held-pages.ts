import type { Comment, PostSort } from '@news-forum/protocol';
import type { Page, StoredPost } from '../store/store.js';
import type { CachedBody } from './cached-body.js';
import type { ReadModels } from './read-models.js';

/**
 * A page of posts from memory, as readers see them, for a reader (`login`
 * undefined: anonymous) once memory has applied every write acknowledged to
 * that reader; undefined when the store must answer.
 */
export async function heldPosts(
  reads: ReadModels,
  login: string | undefined,
  sort: PostSort,
  limit: number,
  cursor: string | undefined,
): Promise<Page<StoredPost> | undefined> {
  if (login !== undefined && !(await reads.posts.fences.settled(login, reads.options.fenceWaitMs))) return undefined;
  return reads.posts.page(sort, limit, cursor);
}

/**
 * A page of a post's comments from memory, as readers see them, under the
 * same condition as heldPosts (the reader's writes to this post's comments);
 * null when the post does not exist for readers, undefined when the store
 * must answer.
 */
export async function heldComments(
  reads: ReadModels,
  login: string | undefined,
  postId: string,
  limit: number,
  cursor: string | undefined,
): Promise<CachedBody<Page<Comment>> | null | undefined> {
  if (login !== undefined && !(await reads.comments.fences.settled(login, reads.options.fenceWaitMs, postId))) return undefined;
  return reads.comments.body(postId, limit, cursor);
}
