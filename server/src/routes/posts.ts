import type { Vote } from '@news-forum/protocol';
import { requireOwnerOr } from '../auth/caller.js';
import type { Handler, Handlers } from '../http/handler.js';
import { authorOf } from '../moderation/authorship.js';
import { isModerator, publicPost } from '../moderation/visibility.js';
import { ProblemError } from '../problem/problem-error.js';
import { DELETED } from '../reads/applied-versions.js';
import { representationEtag } from '../reads/cached-response.js';
import { heldPosts } from '../reads/held-pages.js';
import type { Services } from '../services.js';
import type { StoredPost } from '../store/store.js';
import { idempotencyKey } from './idempotency.js';
import { postFor } from './moderation.js';
import { withMyVote, withMyVoteOf, withMyVotes } from './representations.js';

async function existingPost(services: Services, id: string): Promise<StoredPost> {
  const post = await services.store.getPost(id);
  if (!post) throw new ProblemError('not-found', `No post ${id}`);
  return post;
}

function vote(value: Vote): Handler<'upvotePost' | 'downvotePost' | 'retractVote'> {
  return async ({ path, caller, services }) => {
    const stored = await services.store.setVote(path.pid, caller.login, value);
    if (!stored) throw new ProblemError('not-found', `No post ${path.pid}`);
    const post = postFor(caller, stored);
    services.reads.posts.fences.expect(caller.login, post.id, post.version);
    services.reads.votes.wrote(caller.login, post.id, value, post.version);
    return { status: 200, body: withMyVote(post, value) };
  };
}

export const postHandlers = {
  async listPosts({ query, caller, services, req }) {
    const { sort, limit, cursor } = query;
    const { posts, votes, routes } = services.reads;
    if (isModerator(caller?.scopes)) {
      // Moderators see hidden posts and flag counts, which memory does not hold.
      const page = await services.store.listPosts(sort, { limit, cursor }, { includeHidden: true });
      return { status: 200, body: { items: await withMyVotes(page.items, caller, services), nextCursor: page.nextCursor } };
    }
    if (!caller) {
      const cached = posts.body(sort, limit, cursor);
      if (cached) {
        routes.remember(req.originalUrl, 'listPosts', () => posts.body(sort, limit, cursor));
        return { status: 200, body: cached.value, headers: { ETag: representationEtag(req, cached) } };
      }
    } else {
      const held = await heldPosts(services.reads, caller.login, sort, limit, cursor);
      if (held) {
        const mine = await votes.votes(caller.login, held.items);
        return {
          status: 200,
          body: { items: held.items.map((post) => withMyVote(post, mine.get(post.id) ?? 0)), nextCursor: held.nextCursor },
        };
      }
    }
    const page = await services.store.listPosts(sort, { limit, cursor });
    const visible = page.items.flatMap((post) => publicPost(post) ?? []);
    return { status: 200, body: { items: await withMyVotes(visible, caller, services), nextCursor: page.nextCursor } };
  },

  async getPost({ path, caller, services }) {
    return { status: 200, body: await withMyVoteOf(postFor(caller, await existingPost(services, path.pid)), caller, services) };
  },

  async createPost({ body, headers, caller, req, services }) {
    const { title, url, text } = body;
    const { value, replayed } = await services.store.createPost(
      { title: title.trim(), url: url ?? null, text: text ?? null, author: caller.login },
      idempotencyKey(headers['idempotency-key'], caller, req, body),
    );
    services.reads.posts.fences.expect(caller.login, value.id, value.version);
    return {
      status: 201,
      // A replay reads the post as it is now: hidden since, it is gone to its author too.
      body: await withMyVoteOf(postFor(caller, value), caller, services),
      headers: { Location: `/api/posts/${value.id}`, ...(replayed && { 'Idempotent-Replayed': 'true' as const }) },
    };
  },

  async deletePost({ path, caller, services }) {
    const post = await existingPost(services, path.pid);
    requireOwnerOr(caller, authorOf(post), 'delete');
    await services.store.deletePost(post.id);
    services.reads.posts.fences.expect(caller.login, post.id, DELETED);
    // Its comments go with it: the author's next read of them waits for memory to have dropped them.
    services.reads.comments.fences.expect(caller.login, post.id, DELETED, post.id);
    return { status: 204 };
  },

  upvotePost: vote(1),
  downvotePost: vote(-1),
  retractVote: vote(0),
} satisfies Partial<Handlers>;
