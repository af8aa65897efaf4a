import { normalisePageUrl } from '@news-forum/protocol';
import type { Request } from 'express';
import type { Handlers } from '../http/handler.js';
import { isSameOrigin, originAccess } from '../policy/origin.js';
import { ProblemError } from '../problem/problem-error.js';
import type { Services } from '../services.js';
import type { CreatedComment } from '../store/store.js';
import { commentCreated } from './comment-created.js';
import { addComment } from './comments.js';
import { idempotencyKey } from './idempotency.js';
import { commentFor, postFor } from './moderation.js';
import { withMyVoteOf } from './representations.js';

/** Post.title's maxLength in openapi.yaml: a page's URL stands in for a title not given, cut to fit. */
const MAX_TITLE = 300;

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
    return { status: 200, body: await withMyVoteOf(postFor(caller, post), caller, services) };
  },

  async commentOnPage({ body, headers, caller, req, services }) {
    const url = pageUrlOf(body.url);
    requirePageOrigin(url, req, services);
    const idempotency = idempotencyKey(headers['idempotency-key'], caller, req, body);
    let created: CreatedComment;
    if (body.parentId) {
      // A reply needs a discussion to reply in: none is created for it.
      const post = await services.store.getPagePost(url);
      if (!post) throw new ProblemError('not-found', `No comment ${body.parentId} on ${url}`);
      created = await addComment(services, caller, { postId: post.id, parentId: body.parentId, text: body.text }, idempotency);
    } else {
      const title = body.title?.trim() || url.slice(0, MAX_TITLE);
      created = await services.store.createPageComment({ pageUrl: url, title, author: caller.login }, body.text, idempotency);
      commentCreated(services, created);
    }
    const { value, replayed } = created;
    // The post as the comment left it (its count, or the post the comment created).
    const post = await services.store.getPost(value.postId);
    if (!post) throw new ProblemError('not-found', `The discussion of ${url} was deleted`);
    services.reads.posts.fences.expect(caller.login, post.id, post.version);
    return {
      status: 201,
      body: { post: await withMyVoteOf(postFor(caller, post), caller, services), comment: commentFor(caller, value) },
      headers: replayed ? { 'Idempotent-Replayed': 'true' } : {},
    };
  },
} satisfies Partial<Handlers>;
