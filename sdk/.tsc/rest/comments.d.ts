import type { Comment, CommentListQuery, NewComment, Page } from '../types.js';
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
export declare function createCommentsApi(send: Send): CommentsApi;
//# sourceMappingURL=comments.d.ts.map