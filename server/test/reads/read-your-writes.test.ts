import type { Comment, Post } from '@news-forum/protocol';
import { call } from '../support/http-client.js';
import { applyChanges, connectSocket, eventually, record, subscribe, type TestSocket } from '../support/live-client.js';
import { STORE_KINDS, storeFixture } from '../support/store-adapters.js';
import { type HeldFeedStore, holdableFeed, startNodeOn } from './held-feed.js';

// With the feed held back, memory is stale for everyone; these tests show
// that a writer is then answered by the store while others still get memory.
describe.each(STORE_KINDS)('%s store, a lagging feed', (kind) => {
  let feed: HeldFeedStore;
  let node: Awaited<ReturnType<typeof startNodeOn>>;
  // Before the store fixture's: the node stops before its store closes.
  afterEach(async () => {
    feed?.release();
    await node?.stop();
  });
  const stores = storeFixture(kind);

  beforeEach(async () => {
    feed = holdableFeed(await stores.fresh());
    node = await startNodeOn(feed.store, { fenceWaitMs: 100 });
  }, 60_000);

  async function signUp(login: string): Promise<string> {
    await call(node.url, 'PUT', `/api/users/${login}`, { body: { password: `${login}-password` } });
    return (await call<{ token: string }>(node.url, 'POST', '/api/authenticate', { body: { login, password: `${login}-password` } })).body
      .token;
  }

  /** A write by `token`'s account, answered with its body. */
  const write = async <T>(method: string, path: string, token: string, body?: unknown) =>
    (await call<T>(node.url, method, path, { token, body })).body;

  async function get<T>(path: string, token?: string): Promise<{ body: T; etag: string | null }> {
    const response = await fetch(`${node.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect(response.status).toBe(200);
    return { body: (await response.json()) as T, etag: response.headers.get('etag') };
  }

  const posts = (token?: string) => get<{ items: Post[] }>('/api/posts?sort=top&limit=30', token);

  test('a voter reads its vote while the feed lags; others read memory until it catches up', async () => {
    const ana = await signUp('ana');
    const bob = await signUp('bob');
    const post = await write<Post>('POST', `/api/posts`, ana, { title: 'lag' });
    await eventually(async () => (await posts()).body.items.some((p) => p.id === post.id));

    feed.hold();
    const voted = await write<Post>('POST', `/api/posts/${post.id}/upvotes`, bob);
    const own = (await posts(bob)).body.items.find((p) => p.id === post.id);
    expect(own).toMatchObject({ version: voted.version, upvotes: 1, myVote: 1 });
    // Memory has not seen the vote, and still answers everyone else.
    const anonymous = await posts();
    expect(anonymous.etag).toMatch(/^"/);
    expect(anonymous.body.items.find((p) => p.id === post.id)).toMatchObject({ upvotes: 0 });
    expect((await posts(ana)).body.items.find((p) => p.id === post.id)).toMatchObject({ upvotes: 0, myVote: 0 });

    feed.release();
    await eventually(async () => (await posts()).body.items.find((p) => p.id === post.id)?.upvotes === 1);
    expect((await posts(bob)).body.items.find((p) => p.id === post.id)).toMatchObject({ version: voted.version, myVote: 1 });
  });

  test('an author reads its new post and its new comment while the feed lags', async () => {
    const ana = await signUp('ana');
    const first = await write<Post>('POST', `/api/posts`, ana, { title: 'first' });
    await eventually(async () => (await get<{ items: Comment[] }>(`/api/comments/${first.id}`)).etag?.startsWith('"') ?? false);
    // The front page in memory has applied the post too, before the feed is held.
    await eventually(async () => {
      const page = await get<{ items: Post[] }>('/api/posts?sort=new');
      return (page.etag?.startsWith('"') ?? false) && page.body.items[0]?.id === first.id;
    });

    feed.hold();
    const second = await write<Post>('POST', `/api/posts`, ana, { title: 'second' });
    const comment = await write<Comment>('PUT', `/api/comments/${first.id}`, ana, { text: 'hello' });
    expect((await get<{ items: Post[] }>('/api/posts?sort=new', ana)).body.items[0]?.id).toBe(second.id);
    expect((await get<{ items: Comment[] }>(`/api/comments/${first.id}`, ana)).body.items.map((c) => c.id)).toEqual([comment.id]);
    expect((await get<{ items: Post[] }>('/api/posts?sort=new')).body.items[0]?.id).toBe(first.id);
    expect((await get<{ items: Comment[] }>(`/api/comments/${first.id}`)).body.items).toEqual([]);

    feed.release();
    await eventually(async () => (await get<{ items: Comment[] }>(`/api/comments/${first.id}`)).body.items.length === 1);
    expect((await get<{ items: Post[] }>('/api/posts?sort=new')).body.items[0]?.id).toBe(second.id);
  });

  test("a commenter reads its comment in the post's count while the feed lags, and its deletion too", async () => {
    const ana = await signUp('ana');
    const bob = await signUp('bob');
    const post = await write<Post>('POST', `/api/posts`, ana, { title: 'counted' });
    const counted = async (token?: string) => (await posts(token)).body.items.find((p) => p.id === post.id);
    await eventually(async () => (await counted()) !== undefined);

    feed.hold();
    const comment = await write<Comment>('PUT', `/api/comments/${post.id}`, bob, { text: 'mine' });
    expect(await counted(bob)).toMatchObject({ commentCount: 1 });
    expect(await counted()).toMatchObject({ commentCount: 0, version: post.version });
    await call(node.url, 'DELETE', `/api/comments/${post.id}/${comment.id}`, { token: bob });
    expect(await counted(bob)).toMatchObject({ commentCount: 0 });
    expect((await counted(bob))!.version).toBeGreaterThan(post.version + 1);

    feed.release();
    await eventually(async () => ((await counted())?.version ?? 0) > post.version + 1);
    expect(await counted()).toMatchObject({ commentCount: 0 });
  });

  test("an author who deleted a post finds its comments gone while the feed lags; others read memory's until it catches up", async () => {
    const ana = await signUp('ana');
    const post = await write<Post>('POST', `/api/posts`, ana, { title: 'deleted with its comments' });
    const comment = await write<Comment>('PUT', `/api/comments/${post.id}`, ana, { text: 'goes too' });
    const comments = (token?: string) =>
      fetch(`${node.url}/api/comments/${post.id}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    await eventually(async () => {
      const response = await comments();
      const body = (await response.json()) as { items: Comment[] };
      return (response.headers.get('etag') ?? '').startsWith('"') && body.items.some((c) => c.id === comment.id);
    });

    feed.hold();
    expect((await call(node.url, 'DELETE', `/api/posts/${post.id}`, { token: ana })).status).toBe(204);
    expect((await comments(ana)).status).toBe(404);
    const socket = await connectSocket(node.url, { token: ana });
    try {
      expect(await subscribe(socket, { topic: 'comments', postId: post.id })).toMatchObject({ ok: false, error: { status: 404 } });
    } finally {
      socket.close();
    }
    // Memory has not seen the deletion, and still answers everyone else.
    expect((await comments()).status).toBe(200);

    feed.release();
    await eventually(async () => (await comments()).status === 404);
  });

  test('the flag that hides a post or a comment: its flagger no longer reads it while the feed lags; others read memory until it catches up', async () => {
    const ana = await signUp('ana');
    const bob = await signUp('bob');
    const cid = await signUp('cid');
    const dee = await signUp('dee');
    const post = await write<Post>('POST', `/api/posts`, ana, { title: 'flagged' });
    const comment = await write<Comment>('PUT', `/api/comments/${post.id}`, ana, { text: 'flagged too' });
    const comments = async (token?: string) => (await get<{ items: Comment[] }>(`/api/comments/${post.id}`, token)).body.items;
    await eventually(async () => (await posts()).body.items.some((p) => p.id === post.id));
    await eventually(async () => (await comments()).some((c) => c.id === comment.id && c.text === 'flagged too'));
    // Two flags of three (FLAG_THRESHOLD's default), applied before the feed is held.
    for (const token of [bob, cid]) {
      await write('POST', `/api/posts/${post.id}/flags`, token, { reason: 'spam' });
      await write('POST', `/api/comments/${post.id}/${comment.id}/flags`, token, { reason: 'spam' });
    }
    const flagged = (await feed.store.getPost(post.id))?.version;
    await eventually(async () => (await posts()).body.items.find((p) => p.id === post.id)?.version === flagged);

    feed.hold();
    expect(
      (await call(node.url, 'POST', `/api/comments/${post.id}/${comment.id}/flags`, { token: dee, body: { reason: 'spam' } })).status,
    ).toBe(204);
    expect((await comments(dee)).find((c) => c.id === comment.id)).toMatchObject({ hidden: true });
    expect((await comments(dee)).find((c) => c.id === comment.id)).not.toHaveProperty('text', 'flagged too');
    expect((await call(node.url, 'POST', `/api/posts/${post.id}/flags`, { token: dee, body: { reason: 'spam' } })).status).toBe(204);
    expect((await posts(dee)).body.items.some((p) => p.id === post.id)).toBe(false);
    // Memory has not seen the flags, and still answers everyone else.
    expect((await posts(ana)).body.items.some((p) => p.id === post.id)).toBe(true);

    feed.release();
    await eventually(async () => !(await posts()).body.items.some((p) => p.id === post.id));
  });

  describe('subscription snapshots', () => {
    const sockets: TestSocket[] = [];
    afterEach(() => {
      for (const socket of sockets.splice(0)) socket.close();
    });

    /** A socket subscribed to `topic` (as `token`'s account, or anonymous): its snapshot, and every change it gets after. */
    async function subscribed(topic: Parameters<typeof subscribe>[1], token?: string) {
      const socket = await connectSocket(node.url, { token });
      sockets.push(socket);
      const changes = record(socket, topic.topic === 'posts' ? 'poststream' : 'commentstream');
      const ack = await subscribe(socket, topic);
      if (!ack.ok) throw new Error(ack.error.title);
      return { snapshot: ack.snapshot as Array<{ id: string; version: number }>, changes };
    }

    test('a voter and a commenter find their writes in their snapshots while the feed lags; others get memory, then the changes', async () => {
      const ana = await signUp('ana');
      const bob = await signUp('bob');
      const post = await write<Post>('POST', `/api/posts`, ana, { title: 'snapshots' });
      await eventually(async () => (await posts()).body.items.some((p) => p.id === post.id));
      // Comments of the post held in memory, as after a first reader.
      await eventually(async () => (await get<{ items: Comment[] }>(`/api/comments/${post.id}`)).etag?.startsWith('"') ?? false);

      feed.hold();
      const voted = await write<Post>('POST', `/api/posts/${post.id}/upvotes`, bob);
      const comment = await write<Comment>('PUT', `/api/comments/${post.id}`, bob, { text: 'while the feed lags' });
      const postsTopic = { topic: 'posts', sort: 'top', limit: 30 } as const;
      const commentsTopic = { topic: 'comments', postId: post.id } as const;

      // The writer's snapshots are the store's: its writes are there (the comment counts on the post too).
      const own = await subscribed(postsTopic, bob);
      const latest = own.snapshot.find((p) => p.id === post.id);
      expect(latest).toMatchObject({ upvotes: 1, commentCount: 1 });
      expect(latest?.version).toBeGreaterThan(voted.version);
      expect((await subscribed(commentsTopic, bob)).snapshot.map((c) => c.id)).toEqual([comment.id]);
      // Everyone else's come from memory, which has not seen them yet (the store has: these are not its answers)…
      const anonymous = await subscribed(postsTopic);
      const other = await subscribed(postsTopic, ana);
      const anonymousComments = await subscribed(commentsTopic);
      for (const { snapshot } of [anonymous, other]) expect(snapshot.find((p) => p.id === post.id)).toMatchObject({ upvotes: 0 });
      expect(anonymousComments.snapshot).toEqual([]);

      // …and the changes they missed reach them once the feed delivers them.
      feed.release();
      const converged = ({ snapshot, changes }: typeof own) => applyChanges(snapshot, changes).get(post.id)?.version === latest?.version;
      await eventually(() => [anonymous, other].every(converged) && anonymousComments.changes.length > 0);
      for (const { snapshot, changes } of [anonymous, other, own])
        expect(applyChanges(snapshot, changes).get(post.id)).toMatchObject({ version: latest?.version, upvotes: 1, commentCount: 1 });
      expect([...applyChanges(anonymousComments.snapshot, anonymousComments.changes).keys()]).toEqual([comment.id]);
    });
  });
});
