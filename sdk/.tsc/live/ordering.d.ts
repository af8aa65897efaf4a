import type { Comment, PostSort } from '../types.js';
import type { LivePost } from './events.js';
type Compare<T> = (a: T, b: T) => number;
/** Order of `GET /api/posts?sort=…`, for live post views. */
export declare function postOrder(sort: PostSort): Compare<LivePost>;
/** Comments oldest first, as `GET /api/comments/{pid}` lists them. */
export declare const commentOrder: Compare<Comment>;
export {};
//# sourceMappingURL=ordering.d.ts.map