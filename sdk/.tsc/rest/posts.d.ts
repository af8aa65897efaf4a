import type { NewPost, Page, Post, PostListQuery } from '../types.js';
import type { CallOptions, CreateOptions, Result } from './result.js';
import type { Send } from './transport.js';
/** Posts and votes: `forum.posts`. With a token, posts carry the caller's `myVote`. */
export interface PostsApi {
    /**
     * A page of posts, ranked by `sort` (`hot` by default).
     *
     * @example
     * const { data, error } = await forum.posts.list({ sort: 'new', limit: 10 });
     * const next = data?.nextCursor && (await forum.posts.list({ sort: 'new', cursor: data.nextCursor }));
     */
    list(query?: PostListQuery, options?: CallOptions): Promise<Result<Page<Post>>>;
    /**
     * Every post in `sort` order, page by page; throws a `RequestError` on failure.
     *
     * @example
     * for await (const post of forum.posts.all({ sort: 'top' })) console.log(post.score, post.title);
     */
    all(query?: Omit<PostListQuery, 'cursor'>, options?: CallOptions): AsyncIterable<Post>;
    /** One post. */
    get(id: string, options?: CallOptions): Promise<Result<Post>>;
    /** Submits a post (needs a token); safe to retry thanks to its `Idempotency-Key`. */
    create(body: NewPost, options?: CreateOptions): Promise<Result<Post>>;
    /** Sets the caller's vote to +1; repeating it changes nothing. Returns the post. */
    upvote(id: string, options?: CallOptions): Promise<Result<Post>>;
    /** Sets the caller's vote to −1; repeating it changes nothing. Returns the post. */
    downvote(id: string, options?: CallOptions): Promise<Result<Post>>;
    /** Removes the caller's vote. Returns the post. */
    retract(id: string, options?: CallOptions): Promise<Result<Post>>;
    /** Deletes a post and its comments (its author, or scope `delete`). */
    delete(id: string, options?: CallOptions): Promise<Result<null>>;
}
export declare function createPostsApi(send: Send): PostsApi;
//# sourceMappingURL=posts.d.ts.map