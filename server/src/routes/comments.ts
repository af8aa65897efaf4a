import { requireOwnerOr } from '../auth/caller.js';
import type { Handlers } from '../http/handler.js';
import { ProblemError } from '../problem/problem-error.js';
import { idempotencyKey, REPLAYED_HEADER } from './idempotency.js';

export const commentHandlers: Handlers = {
  async listComments({ path, query, services }) {
    if (!(await services.store.getPost(path.pid!))) throw new ProblemError('not-found', `No post ${path.pid}`);
    const page = await services.store.listComments(path.pid!, { limit: query.limit as number, cursor: query.cursor as string | undefined });
    return { status: 200, body: page };
  },

  async createComment(context) {
    const { text, parentId } = context.body as { text: string; parentId?: string };
    const { value, replayed } = await context.services.store.createComment(
      { postId: context.path.pid!, parentId: parentId ?? null, author: context.caller!.login, text },
      idempotencyKey(context),
    );
    const headers: Record<string, string> = replayed ? { [REPLAYED_HEADER]: 'true' } : {};
    return { status: 201, body: value, headers };
  },

  async deleteComment({ path, caller, services }) {
    const comment = await services.store.getComment(path.pid!, path.id!);
    if (!comment) throw new ProblemError('not-found', `No comment ${path.id} on post ${path.pid}`);
    requireOwnerOr(caller!, comment.author, 'delete');
    await services.store.deleteComment(path.pid!, path.id!);
    return { status: 204 };
  },
};
