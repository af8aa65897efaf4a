import { hotRank, type PostSort } from '@news-forum/protocol';
import { encodeCursor } from '../store/cursor.js';
import type { StoredPost } from '../store/store.js';

const KEYS: Record<PostSort, (post: StoredPost) => (string | number)[]> = {
  // The store keeps hotRank() of the counters as `hot`, so the same number comes out here.
  hot: (post) => [hotRank(post), post.id],
  new: (post) => [post.createdAt, post.id],
  top: (post) => [post.score, post.createdAt, post.id],
};

/** The cursor the store gives for a page of `sort` that ends with `post`. */
export function postCursor(sort: PostSort): (post: StoredPost) => string {
  const keys = KEYS[sort];
  return (post) => encodeCursor(sort, keys(post));
}

/** The cursor the store gives for a page of comments that ends with `comment`. */
export function commentCursor(comment: { createdAt: string; id: string }): string {
  return encodeCursor('comments', [comment.createdAt, comment.id]);
}
