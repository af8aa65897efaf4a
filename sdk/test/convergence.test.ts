import { expect, it } from '@jest/globals';
import type { LivePost, Post } from '../src/index.js';
import { useForumServer } from './support/forum-server.js';
import { waitFor } from './support/wait.js';

const forum = useForumServer();

it('two watchers converge on GET /api/posts after 200 votes across a server restart', async () => {
  // Enough retries to ride out the restart: the vote loop never pauses for it.
  let failedAttempts = 0;
  const countingFetch: typeof fetch = async (input, init) => {
    try {
      const response = await fetch(input, init);
      if (!response.ok) failedAttempts++;
      return response;
    } catch (error) {
      failedAttempts++;
      throw error;
    }
  };
  const voter = await forum.signUp('restless', { maxRetries: 20, fetch: countingFetch });
  const reader = forum.client();
  const watchers = [forum.client(), forum.client()];
  const posts: Post[] = [];
  for (let i = 0; i < 20; i++) {
    const { data, error } = await voter.posts.create({ title: `Story ${i}` });
    if (error) throw error;
    posts.push(data);
  }
  const statuses: string[] = [];
  watchers[0]!.live.on('status', ({ status }) => statuses.push(status));
  const views = watchers.map((forum) => forum.live.posts.watch({ sort: 'hot', limit: 30 }));
  await waitFor('first lists', () => views.every((view) => view.items?.length === 20));

  const votes = [voter.posts.upvote, voter.posts.downvote, voter.posts.retract];
  let restart: Promise<void> | undefined;
  for (let i = 0; i < 200; i++) {
    if (i === 100) {
      restart = (async () => {
        await forum.server.stop();
        await forum.server.start();
      })();
    }
    const vote = votes[(i * 7 + Math.floor(i / 20)) % votes.length]!;
    const { error } = await vote(posts[i % posts.length]!.id);
    if (error) throw error;
  }
  await restart;
  // The restart really overlapped the votes, and the watchers saw it.
  expect(failedAttempts).toBeGreaterThan(0);
  expect(statuses).toContain('reconnecting');

  const { data: page, error } = await reader.posts.list();
  if (error) throw error;
  const expected: LivePost[] = page.items;
  await waitFor(
    'both views to equal GET /api/posts',
    () => views.every((view) => JSON.stringify(view.items) === JSON.stringify(expected)),
    10_000,
  );
  expect(views[0]!.items).toEqual(expected);
  expect(views[1]!.items).toEqual(expected);
  expect(new Set(expected.map((p) => p.score)).size).toBeGreaterThan(1);
}, 90_000);
