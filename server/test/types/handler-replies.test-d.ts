// Type test, checked by `tsc -b` (server/test/tsconfig.json). Each line
// marked with an expected error is a handler the contract does not allow:
// the check fails if such a handler ever compiles.
import type { Handler, HandlerContext, Reply } from '../../src/http/handler.js';

declare const post: NonNullable<Extract<Reply<'getPost'>, { status: 200 }>['body']>;

export const declared: Handler<'getPost'> = async () => ({ status: 200, body: post });
export const deleted: Handler<'deletePost'> = async () => ({ status: 204 });
export const created: Handler<'createPost'> = async () => ({
  status: 201,
  body: post,
  headers: { Location: `/api/posts/${post.id}`, 'Idempotent-Replayed': 'true' },
});

// @ts-expect-error 201 is not a status getPost declares
export const undeclaredStatus: Handler<'getPost'> = async () => ({ status: 201, body: post });
// @ts-expect-error getPost answers a Post, not an ApiInfo
export const wrongBody: Handler<'getPost'> = async () => ({ status: 200, body: { name: 'news-forum', version: '1', instance: 'a' } });
// @ts-expect-error a 204 has no body
export const bodyOn204: Handler<'deletePost'> = async () => ({ status: 204, body: post });
// @ts-expect-error 200 needs its body
export const missingBody: Handler<'getPost'> = async () => ({ status: 200 });
// @ts-expect-error errors are thrown as ProblemError, not returned
export const returnedProblem: Handler<'getPost'> = async () => ({
  status: 404,
  body: { type: 'about:blank', title: 'Not found', status: 404 },
});
// @ts-expect-error getPost declares no Location header
export const undeclaredHeader: Handler<'getPost'> = async () => ({ status: 200, body: post, headers: { Location: '/x' } });

// Input: path parameters by name, query defaults filled in, the caller present where a token is required.
export function inputs(list: HandlerContext<'listPosts'>, vote: HandlerContext<'upvotePost'>): void {
  const sort: 'hot' | 'new' | 'top' = list.query.sort;
  const limit: number = list.query.limit;
  const cursor: string | undefined = list.query.cursor;
  const login: string = vote.caller.login;
  const pid: string = vote.path.pid;
  // @ts-expect-error listPosts takes a token optionally: the caller may be absent
  void list.caller.login;
  // @ts-expect-error upvotePost has no path parameter `id`
  void vote.path.id;
  void [sort, limit, cursor, login, pid];
}
