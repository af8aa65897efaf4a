import type { PostSort } from '@news-forum/protocol';
import { requireOwnerOr } from '../auth/caller.js';
import type { HandlerContext, Handlers, Reply } from '../http/handler.js';
import { ProblemError } from '../problem/problem-error.js';
import type { StoredPost, Vote } from '../store/store.js';
import { idempotencyKey, REPLAYED_HEADER } from './idempotency.js';
import { withMyVote, withMyVotes } from './representations.js';

async function existingPost({ path, services }: HandlerContext): Promise<StoredPost> {
  const post = await services.store.getPost(path.pid!);
  if (!post) throw new ProblemError('not-found', `No post ${path.pid}`);
  return post;
}

function vote(value: Vote) {
  return async ({ path, caller, services }: HandlerContext): Promise<Reply> => {
    const post = await services.store.setVote(path.pid!, caller!.login, value);
    if (!post) throw new ProblemError('not-found', `No post ${path.pid}`);
    return { status: 200, body: withMyVote(post, value) };
  };
}

export const postHandlers: Handlers = {
  async listPosts({ query, caller, services }) {
    const page = await services.store.listPosts(query.sort as PostSort, { limit: query.limit as number, cursor: query.cursor as string | undefined });
    return { status: 200, body: { items: await withMyVotes(page.items, caller, services), nextCursor: page.nextCursor } };
  },

  async getPost(context) {
    const [post] = await withMyVotes([await existingPost(context)], context.caller, context.services);
    return { status: 200, body: post };
  },

  async createPost(context) {
    const { title, url, text } = context.body as { title: string; url?: string; text?: string };
    const { value, replayed } = await context.services.store.createPost(
      { title: title.trim(), url: url ?? null, text: text ?? null, author: context.caller!.login },
      idempotencyKey(context),
    );
    const headers: Record<string, string> = { Location: `/api/posts/${value.id}` };
    if (replayed) headers[REPLAYED_HEADER] = 'true';
    const [post] = await withMyVotes([value], context.caller, context.services);
    return { status: 201, body: post, headers };
  },

  async deletePost(context) {
    const post = await existingPost(context);
    requireOwnerOr(context.caller!, post.author, 'delete');
    await context.services.store.deletePost(post.id);
    return { status: 204 };
  },

  upvotePost: vote(1),
  downvotePost: vote(-1),
  retractVote: vote(0),
};
