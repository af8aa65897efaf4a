import { describe, expect, it } from '@jest/globals';
import type { Notification, Post, Presence } from '../src/index.js';
import { useForumServer } from './support/forum-server.js';
import { firstMatching, waitFor } from './support/wait.js';

const { client, signUp } = useForumServer();

describe('notifications and presence through the SDK against the real server', () => {
  it('delivers a reply live, lists it, and marks it read', async () => {
    const ana = await signUp('ana-n');
    const bob = await signUp('bob-n');
    const post: Post = (await ana.posts.create({ title: 'Ask me anything' })).data!;
    const mine = (await ana.comments.create(post.id, { text: 'I will answer' })).data!;
    // The socket opens with a subscription; notifications ride on it.
    const view = ana.live.posts.watch();
    await waitFor('the live list', () => view.items !== undefined);
    const live = firstMatching<Notification>(
      (fn) => ana.live.on('notification', fn),
      () => true,
    );
    const reply = (await bob.comments.create(post.id, { text: 'When?', parentId: mine.id })).data!;
    expect(await live).toMatchObject({ commentId: reply.id, postId: post.id, actor: 'bob-n', excerpt: 'When?', readAt: null });

    const listed = await ana.notifications.list({ unread: true });
    expect(listed.error).toBeUndefined();
    expect(listed.data).toMatchObject({ items: [{ commentId: reply.id }], unread: 1, nextCursor: null });
    const all: Notification[] = [];
    for await (const n of ana.notifications.all({ limit: 1 })) all.push(n);
    expect(all.map((n) => n.commentId)).toEqual([reply.id]);

    expect((await ana.notifications.markRead([listed.data!.items[0]!.id])).data).toEqual({ marked: 1, unread: 0 });
    expect((await ana.notifications.markRead({ all: true })).data).toEqual({ marked: 0, unread: 0 });
    const bad = await ana.notifications.markRead(['not-an-id']);
    expect(bad.error?.status).toBe(422);
    expect((await client().notifications.list()).error?.status).toBe(401);
    view.close();
  });

  it('tells readers of the front page and of a thread how many read it', async () => {
    const author = await signUp('presence-author');
    const post: Post = (await author.posts.create({ title: 'Read me' })).data!;
    const [one, two, three] = [client(), client(), client()];
    const front = [one.live.posts.watch(), two.live.posts.watch()];
    const thread = three.live.comments(post.id).watch();
    const frontCount = firstMatching<Presence>(
      (fn) => one.live.on('presence', fn),
      (p) => p.topic?.topic === 'posts' && p.reading === 2,
    );
    const threadCount = firstMatching<Presence>(
      (fn) => three.live.on('presence', fn),
      (p) => p.topic?.topic === 'comments' && p.topic.postId === post.id && p.reading === 1,
    );
    expect(await frontCount).toMatchObject({ reading: 2 });
    expect((await threadCount).online).toBeGreaterThanOrEqual(3);
    for (const view of [...front, thread]) view.close();
  });
});
