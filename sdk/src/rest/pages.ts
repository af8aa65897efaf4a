import type { NewPageComment, PageComment, Post } from '@news-forum/protocol';
import { create } from './create.js';
import type { CallOptions, CreateOptions, Result } from './result.js';
import type { Send } from './transport.js';

/** Discussions of pages of embedding sites, one post per page: `forum.pages`. */
export interface PagesApi {
  /**
   * The post of a page's discussion, found by the page's URL (fragment and
   * tracking parameters do not matter); a 404 `ApiError` when nobody has
   * commented yet. Never creates it.
   */
  get(url: string, options?: CallOptions): Promise<Result<Post>>;
  /**
   * Comments on a page (needs a token), creating its discussion on the first
   * comment, titled `title` (default the URL). The page's origin must be
   * listed in the forum's `CORS_ORIGINS` and be where the request comes from
   * (in a browser, the page itself). Safe to retry thanks to its `Idempotency-Key`.
   *
   * @example
   * const { data } = await forum.pages.comment({ url: location.href, title: document.title, text: 'Nice article' });
   * forum.live.comments(data.post.id).on('change', ({ new_val }) => console.log(new_val?.text));
   */
  comment(body: NewPageComment, options?: CreateOptions): Promise<Result<PageComment>>;
}

export function createPagesApi(send: Send): PagesApi {
  return {
    get: (url, options) => send({ method: 'get', path: '/pages', query: { url } }, options),
    comment: (body, options) => create(send, { method: 'put', path: '/pages/comments' }, body, options),
  };
}
