import { normalisePageUrl } from '@news-forum/protocol';
import type { Request } from 'express';
import type { Handlers } from '../http/handler.js';
import { isModerator } from '../moderation/visibility.js';
import { isOwnOrigin, originAccess } from '../policy/origin.js';
import { ProblemError } from '../problem/problem-error.js';
import type { Services } from '../services.js';
import type { CreatedComment, StoredPost } from '../store/store.js';
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
 * origin listed in CORS_ORIGINS (or the forum's own, see isOwnOrigin),
 * sending the request.
 */
function requirePageOrigin(pageUrl: string, req: Request, services: Services): void {
  const origin = req.headers.origin;
  const pageOrigin = new URL(pageUrl).origin;
  const allowed =
    origin === pageOrigin && (originAccess(origin, services.config) === 'all' || isOwnOrigin(origin, req.headers.host, services.config));
  if (!allowed)
    throw new ProblemError(
      'page-origin-not-allowed',
      `Discussions of ${pageOrigin} pages may be started only from ${pageOrigin}, if the forum lists it`,
    );
}

const hidden = (url: string) => new ProblemError('discussion-hidden', `A moderator hid the discussion of ${url}`);

/**
 * Comments on a page's post as `comment` does, refusing with
 * `discussion-hidden` when the post is hidden: a reader must learn that the
 * discussion is closed (not that it is missing, which invites a first
 * comment), and not the post's id.
 */
async function commentOnOpenPost<T>(url: string, services: Services, comment: (post: StoredPost | null) => Promise<T>): Promise<T> {
  const before = await services.store.getPagePost(url);
  if (before?.hidden) throw hidden(url);
  try {
    return await comment(before);
  } catch (error) {
    // Hidden after the look above: the store refuses it as a missing post.
    if ((await services.store.getPagePost(url).catch(() => undefined))?.hidden) throw hidden(url);
    throw error;
  }
}

export const pageHandlers = {
  async getPageDiscussion({ query, caller, services }) {
    const url = pageUrlOf(query.url);
    const post = await services.store.getPagePost(url);
    if (!post) throw new ProblemError('not-found', `No discussion of ${url}`);
    if (post.hidden && !isModerator(caller?.scopes)) throw hidden(url);
    return { status: 200, body: await withMyVoteOf(postFor(caller, post), caller, services) };
  },

  async commentOnPage({ body, headers, caller, req, services }) {
    const url = pageUrlOf(body.url);
    requirePageOrigin(url, req, services);
    const idempotency = idempotencyKey(headers['idempotency-key'], caller, req, body);
    const created: CreatedComment = await commentOnOpenPost(url, services, async (post) => {
      if (body.parentId) {
        // A reply needs a discussion to reply in: none is created for it.
        if (!post) throw new ProblemError('not-found', `No comment ${body.parentId} on ${url}`);
        return addComment(services, caller, { postId: post.id, parentId: body.parentId, text: body.text }, idempotency);
      }
      const title = body.title?.trim() || url.slice(0, MAX_TITLE);
      const first = await services.store.createPageComment({ pageUrl: url, title, author: caller.login }, body.text, idempotency);
      commentCreated(services, first);
      return first;
    });
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
