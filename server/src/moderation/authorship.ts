import type { StoredPost } from '../store/store.js';

/**
 * The account that may edit or delete a post as its author: none for the
 * post of a page's discussion, which belongs to the page (its `author` only
 * started it, or took it over), so that only moderators edit or delete it.
 */
export function authorOf(post: StoredPost): string | undefined {
  return post.pageUrl === undefined ? post.author : undefined;
}
