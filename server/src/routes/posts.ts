import type { Vote } from '@news-forum/protocol';
import { requireOwnerOr } from '../auth/caller.js';
import type { Handler, Handlers } from '../http/handler.js';
import { ProblemError } from '../problem/problem-error.js';
import type { Services } from '../services.js';
import type { StoredPost } from '../store/store.js';
import { idempotencyKey } from './idempotency.js';
import { withMyVote, withMyVoteOf, withMyVotes } from './representations.js';

async function existingPost(services: Services, id: string): Promise<StoredPost> {
  const post = await services.store.getPost(id);
  if (!post) throw new ProblemError('not-found', `No post ${id}`);
  return post;
}

function vote(value: Vote): Handler<'upvotePost' | 'downvotePost' | 'retractVote'> {
  return async ({ path, caller, services }) => {
    const post = await services.store.setVote(path.pid, caller.login, value);
    if (!post) throw new ProblemError('not-found', `No post ${path.pid}`);
    return { status: 200, body: withMyVote(post, value) };
  };
}

export const postHandlers = {
  async listPosts({ query, caller, services }) {
    const page = await services.store.listPosts(query.sort, { limit: query.limit, cursor: query.cursor });
    return { status: 200, body: { items: await withMyVotes(page.items, caller, services), nextCursor: page.nextCursor } };
  },

  async getPost({ path, caller, services }) {
    return { status: 200, body: await withMyVoteOf(await existingPost(services, path.pid), caller, services) };
  },

  async createPost({ body, headers, caller, req, services }) {
    const { title, url, text } = body;
    const { value, replayed } = await services.store.createPost(
      { title: title.trim(), url: url ?? null, text: text ?? null, author: caller.login },
      idempotencyKey(headers['idempotency-key'], caller, req, body),
    );
    return {
      status: 201,
      body: await withMyVoteOf(value, caller, services),
      headers: { Location: `/api/posts/${value.id}`, ...(replayed && { 'Idempotent-Replayed': 'true' as const }) },
    };
  },

  async deletePost({ path, caller, services }) {
    const post = await existingPost(services, path.pid);
    requireOwnerOr(caller, post.author, 'delete');
    await services.store.deletePost(post.id);
    return { status: 204 };
  },

  upvotePost: vote(1),
  downvotePost: vote(-1),
  retractVote: vote(0),
} satisfies Partial<Handlers>;
