import { type Caller, requireOwnerOr } from '../auth/caller.js';
import type { Handlers } from '../http/handler.js';
import { isModerator, publicComment } from '../moderation/visibility.js';
import { ProblemError } from '../problem/problem-error.js';
import { DELETED } from '../reads/applied-versions.js';
import { representationEtag } from '../reads/cached-response.js';
import { heldComments } from '../reads/held-pages.js';
import type { Services } from '../services.js';
import type { CreatedComment, IdempotencyKey, NewCommentRecord } from '../store/store.js';
import { commentCreated, fencePostOf } from './comment-created.js';
import { idempotencyKey } from './idempotency.js';
import { commentFor, postFor } from './moderation.js';

/**
 * Creates a comment as `caller`: the one path of every comment (of a post,
 * of a page), so each gets the same write fence and live delivery.
 */
export async function addComment(
  services: Services,
  caller: Caller,
  comment: Omit<NewCommentRecord, 'author'>,
  idempotency: IdempotencyKey | undefined,
): Promise<CreatedComment> {
  const created = await services.store.createComment({ ...comment, author: caller.login }, idempotency);
  commentCreated(services, created);
  await fencePostOf(services, caller.login, created.value.postId);
  return created;
}

export const commentHandlers = {
  async listComments({ path, query, caller, services, req }) {
    const { limit, cursor } = query;
    const { comments, routes } = services.reads;
    const moderator = isModerator(caller?.scopes);
    if (!moderator) {
      const cached = await heldComments(services.reads, caller?.login, path.pid, limit, cursor);
      if (cached === null) throw new ProblemError('not-found', `No post ${path.pid}`);
      if (cached) {
        if (!caller) routes.remember(req.originalUrl, 'listComments', () => comments.heldBody(path.pid, limit, cursor));
        return { status: 200, body: cached.value, headers: { ETag: representationEtag(req, cached) } };
      }
    }
    const post = await services.store.getPost(path.pid);
    if (!post) throw new ProblemError('not-found', `No post ${path.pid}`);
    postFor(caller, post);
    const page = await services.store.listComments(path.pid, { limit, cursor });
    return { status: 200, body: moderator ? page : { items: page.items.map(publicComment), nextCursor: page.nextCursor } };
  },

  async createComment({ path, body, headers, caller, req, services }) {
    const { value, replayed } = await addComment(
      services,
      caller,
      { postId: path.pid, parentId: body.parentId ?? null, text: body.text },
      idempotencyKey(headers['idempotency-key'], caller, req, body),
    );
    // A replay reads the comment as it is now: hidden since, it is a placeholder.
    return { status: 201, body: commentFor(caller, value), headers: replayed ? { 'Idempotent-Replayed': 'true' } : {} };
  },

  async deleteComment({ path, caller, services }) {
    const comment = await services.store.getComment(path.pid, path.id);
    if (!comment) throw new ProblemError('not-found', `No comment ${path.id} on post ${path.pid}`);
    requireOwnerOr(caller, comment.author, 'delete');
    await services.store.deleteComment(path.pid, path.id);
    services.reads.comments.fences.expect(caller.login, comment.id, DELETED, comment.postId);
    await fencePostOf(services, caller.login, comment.postId);
    return { status: 204 };
  },
} satisfies Partial<Handlers>;
