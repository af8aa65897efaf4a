import { describe, expect, it } from '@jest/globals';
import { ApiError, type Change, type Comment, type LivePost, type NewsForumClient, type Post, type StatusEvent } from '../src/index.js';
import { ADMIN, useForumServer } from './support/forum-server.js';
import { firstMatching, waitFor } from './support/wait.js';

const { client, signUp } = useForumServer();

async function newPost(forum: NewsForumClient, title: string): Promise<Post> {
  const { data, error } = await forum.posts.create({ title });
  if (error) throw error;
  return data;
}

describe('live streams through the SDK against the real server', () => {
  it('delivers one client’s vote to another client’s change listener', async () => {
    const voter = await signUp('voter');
    const watcher = client();
    const post = await newPost(voter, 'Vote on me');
    const statuses: StatusEvent['status'][] = [];
    watcher.live.posts.on('status', ({ status }) => statuses.push(status));
    await firstMatching<StatusEvent>(
      (fn) => watcher.live.posts.on('status', fn),
      (e) => e.status === 'live',
    );

    const change = firstMatching<Change<LivePost>>(
      (fn) => watcher.live.posts.on('change', fn),
      (c) => c.new_val?.id === post.id,
    );
    const { error } = await voter.posts.upvote(post.id);
    expect(error).toBeUndefined();
    const { old_val, new_val } = await change;
    expect(new_val).toMatchObject({ id: post.id, upvotes: 1, score: 1 });
    expect(new_val!.version).toBeGreaterThan(old_val?.version ?? post.version);
    expect(new_val).not.toHaveProperty('myVote');
    expect(statuses).toEqual(['connecting', 'live']);
    expect(watcher.live.status).toBe('live');
  });

  it('keeps a sorted, trimmed front page in step with GET /api/posts', async () => {
    const author = await signUp('author');
    const voters = [await signUp('v-one'), await signUp('v-two')];
    const watcher = client();
    const posts = [];
    for (let i = 0; i < 5; i++) posts.push(await newPost(author, `Top ${i}`));
    const view = watcher.live.posts.watch({ sort: 'top', limit: 3 });
    await waitFor('first list', () => view.items !== undefined);

    for (const [i, voter] of voters.entries()) {
      await voter.posts.upvote(posts[4]!.id);
      await voter.posts.upvote(posts[2 + i]!.id);
      await voter.posts.downvote(posts[0]!.id);
    }
    const expected = async () => (await watcher.posts.list({ sort: 'top', limit: 3 })).data!.items.map(({ myVote, ...post }) => post);
    const want = await expected();
    await waitFor('the view to match the server', () => JSON.stringify(view.items) === JSON.stringify(want));
    expect(view.items!.map((p) => p.title)).toEqual(['Top 4', expect.stringMatching(/Top [23]/), expect.stringMatching(/Top [23]/)]);
    view.close();
  });

  it('watches comments oldest first, with arrivals and deletions', async () => {
    const ana = await signUp('commenter');
    const post = await newPost(ana, 'Talk about it');
    const first = (await ana.comments.create(post.id, { text: 'first' })).data!;
    const view = client().live.comments(post.id).watch();
    const lists: string[][] = [];
    view.subscribe((items) => lists.push(items.map((c: Comment) => c.text)));
    await waitFor('snapshot', () => lists.length > 0);
    expect(lists[0]).toEqual(['first']);
    const second = (await ana.comments.create(post.id, { text: 'second', parentId: first.id })).data!;
    await waitFor('arrival', () => lists.at(-1)?.join() === 'first,second');
    await ana.comments.delete(post.id, second.id);
    await waitFor('deletion', () => lists.at(-1)?.join() === 'first');
    view.close();
    expect(view.closed).toBe(true);
  });

  it('keeps comments that arrive after a full 200-comment snapshot (no cut-off)', async () => {
    const ana = await signUp('many-comments');
    const post = await newPost(ana, 'Busy thread');
    for (let i = 0; i < 200; i += 20) {
      const batch = Array.from({ length: 20 }, (_, j) => ana.comments.create(post.id, { text: `old ${i + j}` }));
      for (const { error } of await Promise.all(batch)) if (error) throw error;
    }
    const view = client().live.comments(post.id).watch();
    await waitFor('snapshot', () => view.items !== undefined);
    expect(view.items).toHaveLength(200);
    const fresh = (await ana.comments.create(post.id, { text: 'the newest' })).data!;
    await waitFor('the new comment in the view', () => view.items?.at(-1)?.id === fresh.id);
    expect(view.items).toHaveLength(201);
    await ana.comments.delete(post.id, fresh.id);
    await waitFor('its deletion', () => view.items?.length === 200);
    view.close();
  }, 30_000);

  it('ends a view with the server’s 404 when the post does not exist', async () => {
    const view = client().live.comments('00000000-0000-4000-8000-000000000000').watch();
    await expect(async () => {
      for await (const items of view) void items;
    }).rejects.toMatchObject({ code: 'api_error', status: 404 });
    expect(view.closed).toBe(true);
  });

  it('ends async iteration on close(), and forum.close() closes the socket', async () => {
    const forum = client();
    const view = forum.live.posts.watch();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const items of view) seen.push(items.length);
    })();
    await waitFor('a list', () => seen.length > 0);
    forum.close();
    await loop;
    expect(view.closed).toBe(true);
    expect(forum.live.status).toBe('closed');
  });

  it('follows a post a moderator hid and restored: readers get a delete, then an insert, then its votes', async () => {
    const author = await signUp('hidden-author');
    const voter = await signUp('restored-voter');
    const admin = client();
    await admin.login(ADMIN.login, ADMIN.password);
    const post = await newPost(author, 'Hidden for a while');
    const view = client().live.posts.watch({ sort: 'new', limit: 100 });
    const held = () => view.items?.find((p) => p.id === post.id);
    await waitFor('the post in the view', () => held() !== undefined);
    expect((await admin.moderation.hidePost(post.id, { reason: 'check' })).error).toBeUndefined();
    await waitFor('the post to leave the view', () => view.items !== undefined && held() === undefined);
    expect((await admin.moderation.restorePost(post.id, { reason: 'fine' })).error).toBeUndefined();
    await waitFor('the post back in the view', () => held() !== undefined);
    expect((await voter.posts.upvote(post.id)).error).toBeUndefined();
    await waitFor('the vote in the view', () => held()?.score === 1);
    view.close();
  });

  it('settles a next() still waiting as done when the iterator is returned', async () => {
    const view = client().live.posts.watch();
    const iterator = view[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    // No change comes: this one waits.
    const waiting = iterator.next();
    await iterator.return?.();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('still waiting'), 2_000)));
    expect(await Promise.race([waiting, timeout])).toEqual({ done: true, value: undefined });
    clearTimeout(timer);
    expect(view.closed).toBe(true);
  });

  it('reconnects with the new token on login, and ends in closed when the account is deleted', async () => {
    const doomed = await signUp('doomed');
    await doomed.logout();
    const events: StatusEvent[] = [];
    doomed.live.on('status', (event) => events.push(event));
    doomed.live.posts.on('change', () => {});
    await waitFor('anonymous socket', () => doomed.live.status === 'live');
    await doomed.login('doomed', 'doomed-password');
    await waitFor('reconnect as doomed', () => events.filter((e) => e.status === 'live').length === 2);

    const admin = client();
    await admin.login(ADMIN.login, ADMIN.password);
    expect((await admin.users.delete('doomed')).error).toBeUndefined();
    await waitFor('refusal', () => doomed.live.status === 'closed', 10_000);
    const last = events.at(-1)!;
    expect(last.error).toBeInstanceOf(ApiError);
    expect(last.error?.status).toBe(401);
  });
});
