import { normalisePageUrl } from '@news-forum/protocol';
import type { Request } from 'express';
import type { Handlers } from '../http/handler.js';
import { isSameOrigin, originAccess } from '../policy/origin.js';
import { ProblemError } from '../problem/problem-error.js';
import type { Services } from '../services.js';
import { addComment } from './comments.js';
import { idempotencyKey } from './idempotency.js';
import { withMyVoteOf } from './representations.js';

function pageUrlOf(raw: string): string {
  const url = normalisePageUrl(raw);
  if (url === null) throw new ProblemError('bad-request', 'url must be an absolute http(s) URL without credentials');
  return url;
}

/**
 * A page's discussion may be started only from the page's own site: an
 * origin listed in CORS_ORIGINS (or this server's), sending the request.
 */
function requirePageOrigin(pageUrl: string, req: Request, services: Services): void {
  const origin = req.headers.origin;
  const pageOrigin = new URL(pageUrl).origin;
  const allowed = origin === pageOrigin && (originAccess(origin, services.config) === 'all' || isSameOrigin(origin, req.headers.host));
  if (!allowed)
    throw new ProblemError(
      'page-origin-not-allowed',
      `Discussions of ${pageOrigin} pages may be started only from ${pageOrigin}, if the forum lists it`,
    );
}

export const pageHandlers = {
  async getPageDiscussion({ query, caller, services }) {
    const url = pageUrlOf(query.url);
    const post = await services.store.getPagePost(url);
    if (!post) throw new ProblemError('not-found', `No discussion of ${url}`);
    return { status: 200, body: await withMyVoteOf(post, caller, services) };
  },

  async commentOnPage({ body, headers, caller, req, services }) {
    const url = pageUrlOf(body.url);
    requirePageOrigin(url, req, services);
    const title = body.title?.trim() || url;
    // A reply needs a discussion to reply in: none is created for it.
    const post = body.parentId
      ? await services.store.getPagePost(url)
      : await services.store.ensurePagePost({ pageUrl: url, title, author: caller.login });
    if (!post) throw new ProblemError('not-found', `No comment ${body.parentId} on ${url}`);
    services.reads.posts.fences.expect(caller.login, post.id, post.version);
    const { value, replayed } = await addComment(
      services,
      caller,
      { postId: post.id, parentId: body.parentId ?? null, text: body.text },
      idempotencyKey(headers['idempotency-key'], caller, req, body),
    );
    // The post as the comment left it (its count).
    const current = (await services.store.getPost(post.id)) ?? post;
    return {
      status: 201,
      body: { post: await withMyVoteOf(current, caller, services), comment: value },
      headers: replayed ? { 'Idempotent-Replayed': 'true' } : {},
    };
  },
} satisfies Partial<Handlers>;
