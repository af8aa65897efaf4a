// Type test, checked by `tsc -b` (sdk/test/tsconfig.json): the transport
// takes parameters, body and answer types from the operation a call names
// by method and path. Lines marked with an expected error must not compile.
import type { Post } from '@news-forum/protocol';
import type { Result } from '../../src/rest/result.js';
import type { Send } from '../../src/rest/transport.js';

export async function calls(send: Send): Promise<void> {
  const post: Result<Post> = await send({ method: 'get', path: '/posts/{pid}', params: { pid: 'x' }, idempotent: true });
  const removed: Result<null> = await send({ method: 'delete', path: '/posts/{pid}', params: { pid: 'x' }, idempotent: true });
  await send({ method: 'get', path: '/posts', query: { sort: 'top', limit: 5 }, idempotent: true });
  await send({ method: 'post', path: '/posts', body: { title: 'Hello' }, idempotent: false });
  void [post, removed];

  // @ts-expect-error GET /posts/{pid} answers a Post, not a list
  const list: Result<{ items: Post[] }> = await send({ method: 'get', path: '/posts/{pid}', params: { pid: 'x' }, idempotent: true });
  // @ts-expect-error the path parameter is missing
  await send({ method: 'get', path: '/posts/{pid}', idempotent: true });
  // @ts-expect-error the path parameter is misnamed
  await send({ method: 'get', path: '/posts/{pid}', params: { id: 'x' }, idempotent: true });
  // @ts-expect-error there is no PUT /posts
  await send({ method: 'put', path: '/posts', idempotent: true });
  // @ts-expect-error a post needs a title
  await send({ method: 'post', path: '/posts', body: { url: 'https://example.com' }, idempotent: false });
  // @ts-expect-error 'best' is not a sort
  await send({ method: 'get', path: '/posts', query: { sort: 'best' }, idempotent: true });
  void list;
}
