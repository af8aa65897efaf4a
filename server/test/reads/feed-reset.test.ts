import type { Comment, Post } from '@news-forum/protocol';
import { call } from '../support/http-client.js';
import { eventually } from '../support/live-client.js';
import { STORE_KINDS, storeFixture } from '../support/store-adapters.js';
import { type HeldFeedStore, holdableFeed, startNodeOn } from './held-feed.js';

// When the feed loses changes it says so with a reset; memory must then be
// read again, or it would serve what it missed as if nothing happened.
describe.each(STORE_KINDS)('%s store, a feed that lost changes', (kind) => {
  const stores = storeFixture(kind);
  let feed: HeldFeedStore;
  let node: Awaited<ReturnType<typeof startNodeOn>>;
  let ana: string;

  beforeEach(async () => {
    feed = holdableFeed(await stores.fresh());
    node = await startNodeOn(feed.store);
    await call(node.url, 'PUT', '/api/users/ana', { body: { password: 'ana-password' } });
    ana = (await call(node.url, 'POST', '/api/authenticate', { body: { login: 'ana', password: 'ana-password' } })).body.token;
  }, 60_000);
  afterEach(async () => {
    await node.stop();
  });

  const anonymous = async <T>(path: string) => {
    const response = await fetch(`${node.url}${path}`);
    return { body: (await response.json()) as { items: T[] }, fromMemory: (response.headers.get('etag') ?? '').startsWith('"') };
  };

  test('posts are read again after a reset', async () => {
    const post = (await call<Post>(node.url, 'POST', '/api/posts', { token: ana, body: { title: 'before' } })).body;
    await eventually(async () => (await anonymous<Post>('/api/posts?sort=top')).body.items.some((p) => p.id === post.id));

    feed.drop();
    await call(node.url, 'POST', `/api/posts/${post.id}/upvotes`, { token: ana });
    const stale = await anonymous<Post>('/api/posts?sort=top');
    expect(stale.fromMemory).toBe(true);
    expect(stale.body.items.find((p) => p.id === post.id)?.upvotes).toBe(0);

    feed.resetAndResume();
    // Any later change carries the reset to the node.
    await call(node.url, 'POST', '/api/posts', { token: ana, body: { title: 'after' } });
    // The dropped vote may itself reach the feed after the resume, carrying the reset before 'after' commits:
    // wait for both, the vote (from the reload) and the new post, from memory (the store answers while it reloads).
    await eventually(async () => {
      const page = await anonymous<Post>('/api/posts?sort=top');
      return page.fromMemory && page.body.items.find((p) => p.id === post.id)?.upvotes === 1 && page.body.items.length === 2;
    });
    const fresh = await anonymous<Post>('/api/posts?sort=top');
    expect(fresh.fromMemory).toBe(true);
    expect(fresh.body.items.map((p) => p.title)).toEqual(['before', 'after']);
  });

  test('comments are read again after a reset', async () => {
    const post = (await call<Post>(node.url, 'POST', '/api/posts', { token: ana, body: { title: 'discussed' } })).body;
    await eventually(async () => (await anonymous<Comment>(`/api/comments/${post.id}`)).fromMemory);

    feed.drop();
    await call(node.url, 'PUT', `/api/comments/${post.id}`, { token: ana, body: { text: 'lost' } });
    const stale = await anonymous<Comment>(`/api/comments/${post.id}`);
    expect(stale).toEqual({ body: { items: [], nextCursor: null }, fromMemory: true });

    feed.resetAndResume();
    await call(node.url, 'PUT', `/api/comments/${post.id}`, { token: ana, body: { text: 'after' } });
    await eventually(async () => (await anonymous<Comment>(`/api/comments/${post.id}`)).body.items.length === 2);
    expect((await anonymous<Comment>(`/api/comments/${post.id}`)).body.items.map((c) => c.text)).toEqual(['lost', 'after']);
  });
});
