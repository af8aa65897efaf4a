import type { NewPost, Page, Post, PostListQuery } from '@news-forum/protocol';
import { create } from './create.js';
import { paginate } from './paginate.js';
import { remove } from './remove.js';
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

export function createPostsApi(send: Send): PostsApi {
  const list = (query: PostListQuery = {}, options?: CallOptions) => send({ method: 'get', path: '/posts', query }, options);
  // Votes set a state rather than add to it, so repeating one is harmless.
  const vote = (path: '/posts/{pid}/upvotes' | '/posts/{pid}/downvotes', pid: string, options?: CallOptions) =>
    send({ method: 'post', path, params: { pid } }, options);
  return {
    list,
    all: (query = {}, options) => paginate((cursor) => list({ ...query, cursor }, options)),
    get: (id, options) => send({ method: 'get', path: '/posts/{pid}', params: { pid: id } }, options),
    create: (body, options) => create(send, { method: 'post', path: '/posts' }, body, options),
    upvote: (id, options) => vote('/posts/{pid}/upvotes', id, options),
    downvote: (id, options) => vote('/posts/{pid}/downvotes', id, options),
    retract: (id, options) => send({ method: 'delete', path: '/posts/{pid}/vote', params: { pid: id } }, options),
    delete: (id, options) => remove(send, { method: 'delete', path: '/posts/{pid}', params: { pid: id } }, options),
  };
}
