import type { Comment, CommentListQuery, NewComment, Page } from '@news-forum/protocol';
import { create } from './create.js';
import { paginate } from './paginate.js';
import { remove } from './remove.js';
import type { CallOptions, CreateOptions, Result } from './result.js';
import type { Send } from './transport.js';

/** Comments of a post, oldest first: `forum.comments`. */
export interface CommentsApi {
  /** A page of a post's comments, oldest first. */
  list(postId: string, query?: CommentListQuery, options?: CallOptions): Promise<Result<Page<Comment>>>;
  /**
   * Every comment of a post, oldest first, page by page; throws a `RequestError` on failure.
   *
   * @example
   * for await (const comment of forum.comments.all(postId)) console.log(comment.author, comment.text);
   */
  all(postId: string, query?: Omit<CommentListQuery, 'cursor'>, options?: CallOptions): AsyncIterable<Comment>;
  /**
   * Comments on a post (needs a token); `parentId` makes it a reply. Safe to
   * retry thanks to its `Idempotency-Key`.
   */
  create(postId: string, body: NewComment, options?: CreateOptions): Promise<Result<Comment>>;
  /** Deletes a comment and its replies (its author, or scope `delete`). */
  delete(postId: string, id: string, options?: CallOptions): Promise<Result<null>>;
}

export function createCommentsApi(send: Send): CommentsApi {
  const list = (postId: string, query: CommentListQuery = {}, options?: CallOptions) =>
    send({ method: 'get', path: '/comments/{pid}', params: { pid: postId }, query }, options);
  return {
    list,
    all: (postId, query = {}, options) => paginate((cursor) => list(postId, { ...query, cursor }, options)),
    // Despite the PUT, each call creates a new comment: only the key makes it repeatable.
    create: (postId, body, options) => create(send, { method: 'put', path: '/comments/{pid}', params: { pid: postId } }, body, options),
    delete: (postId, id, options) => remove(send, { method: 'delete', path: '/comments/{pid}/{id}', params: { pid: postId, id } }, options),
  };
}
