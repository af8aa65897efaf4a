import type { LivePost } from './events.js';
import { hotRank } from './ranking.js';
import type { Comment, PostSort } from './types.js';

/** A sort comparator. */
export type Compare<T> = (a: T, b: T) => number;

const compareIds: Compare<string> = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// Ties are broken exactly as the server's SQL orders `GET /api/posts` (and
// so the snapshots), or a live view and a fetched page would differ.
const newestFirst: Compare<LivePost> = (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || compareIds(b.id, a.id);

const POST_ORDER: Record<PostSort, Compare<LivePost>> = {
  hot: (a, b) => hotRank(b) - hotRank(a) || compareIds(b.id, a.id),
  new: newestFirst,
  top: (a, b) => b.score - a.score || newestFirst(a, b),
};

/** Order of `GET /api/posts?sort=…`, for live post views. */
export function postOrder(sort: PostSort): Compare<LivePost> {
  return POST_ORDER[sort];
}

/** Comments oldest first, as `GET /api/comments/{pid}` lists them. */
export const commentOrder: Compare<Comment> = (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || compareIds(a.id, b.id);
