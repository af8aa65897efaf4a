import type { Comment, Post } from '@news-forum/protocol';
import pg from 'pg';
import { call } from '../support/http-client.js';
import { connectSocket, eventually, subscribe } from '../support/live-client.js';
import { STORE_KINDS, storeFixture } from '../support/store-adapters.js';
import { type HeldFeedStore, holdableFeed, startNodeOn } from './held-feed.js';

// When the feed loses changes it says so with a reset; memory must then be
// read again, or it would serve what it missed as if nothing happened.
describe.each(STORE_KINDS)('%s store, a feed that lost changes', (kind) => {
  let feed: HeldFeedStore;
  let node: Awaited<ReturnType<typeof startNodeOn>>;
  let ana: string;
  // Before the store fixture's: the node stops before its store closes.
  afterEach(async () => {
    await node?.stop();
  });
  const stores = storeFixture(kind);

  beforeEach(async () => {
    feed = holdableFeed(await stores.fresh());
    node = await startNodeOn(feed.store);
    await call(node.url, 'PUT', '/api/users/ana', { body: { password: 'ana-password' } });
    ana = (await call(node.url, 'POST', '/api/authenticate', { body: { login: 'ana', password: 'ana-password' } })).body.token;
  }, 60_000);

  const anonymous = async <T>(path: string) => {
    const response = await fetch(`${node.url}${path}`);
    return { body: (await response.json()) as { items: T[] }, fromMemory: (response.headers.get('etag') ?? '').startsWith('"') };
  };

  test('posts are read again after a reset, and subscribers told to resync', async () => {
    const post = (await call<Post>(node.url, 'POST', '/api/posts', { token: ana, body: { title: 'before' } })).body;
    await eventually(async () => (await anonymous<Post>('/api/posts?sort=top')).body.items.some((p) => p.id === post.id));
    const socket = await connectSocket(node.url);
    const resyncs: unknown[][] = [];
    socket.on('resync', (...args) => resyncs.push(args));
    expect(await subscribe(socket, { topic: 'posts' })).toMatchObject({ ok: true });

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
    // Changes were missed, the database did not go back: what the client saw still stands.
    await eventually(async () => resyncs.length > 0);
    expect(resyncs[0]).toEqual([{ topic: 'posts' }, {}]);
    socket.close();
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

// A database back from a crash or a failover without its last commits (asynchronous commit or replication): the
// feed resets, and new writes reuse the lost versions. Simulated by removing two votes' rows and their change-log
// rows, setting the log's sequence back and cutting every connection.
describe('postgres store, commits the database lost', () => {
  const stores = storeFixture('postgres');

  test('memory is read again as the database is now, and takes the new writes that reuse the lost versions', async () => {
    const { store, url } = await stores.open();
    const node = await startNodeOn(store);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const token = async (login: string) => {
        await call(node.url, 'PUT', `/api/users/${login}`, { body: { password: `${login}-password` } });
        return (await call<{ token: string }>(node.url, 'POST', '/api/authenticate', { body: { login, password: `${login}-password` } }))
          .body.token;
      };
      const [ana, bob, carl, dave] = [await token('ana'), await token('bob'), await token('carl'), await token('dave')];
      const post = (await call<Post>(node.url, 'POST', '/api/posts', { token: ana, body: { title: 'undone' } })).body;
      const held = async () => {
        const response = await fetch(`${node.url}/api/posts?sort=new&limit=30`);
        const { items } = (await response.json()) as { items: Post[] };
        return { fromMemory: (response.headers.get('etag') ?? '').startsWith('"'), post: items.find((p) => p.id === post.id) };
      };
      await eventually(async () => (await held()).post !== undefined);
      const [{ before }] = (await db.query('SELECT max(seq)::int AS before FROM changes')).rows;
      for (const voter of [ana, bob]) await call(node.url, 'POST', `/api/posts/${post.id}/upvotes`, { token: voter });
      await eventually(async () => (await held()).post?.version === 3);
      const socket = await connectSocket(node.url);
      const resyncs: unknown[][] = [];
      socket.on('resync', (...args) => resyncs.push(args));
      expect(await subscribe(socket, { topic: 'posts' })).toMatchObject({ ok: true });

      await db.query('BEGIN');
      await db.query('SET LOCAL session_replication_role = replica');
      await db.query('DELETE FROM votes WHERE post_id = $1', [post.id]);
      await db.query('UPDATE posts SET upvotes = 0, version = 1 WHERE id = $1', [post.id]);
      await db.query('DELETE FROM changes WHERE seq > $1', [before]);
      await db.query(`SELECT setval(pg_get_serial_sequence('changes', 'seq'), $1)`, [before]);
      await db.query('COMMIT');
      await db.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      await eventually(async () => {
        const now = await held();
        return now.fromMemory && now.post?.version === 1;
      }, 15_000);
      // The client is told the database went back, so that it takes its snapshot whole.
      await eventually(async () => resyncs.length > 0);
      expect(resyncs[0]).toEqual([{ topic: 'posts' }, { rewound: true }]);
      socket.close();

      // Versions 2 and 3 again, other votes.
      await eventually(async () => (await call(node.url, 'POST', `/api/posts/${post.id}/upvotes`, { token: carl })).status === 200, 15_000);
      expect((await call(node.url, 'POST', `/api/posts/${post.id}/downvotes`, { token: dave })).status).toBe(200);
      const stored = await store.getPost(post.id);
      expect(stored).toMatchObject({ version: 3, upvotes: 1, downvotes: 1 });
      await eventually(async () => {
        const now = await held();
        return now.fromMemory && now.post?.version === 3 && now.post.downvotes === 1;
      });
    } finally {
      await db.end();
      await node.stop();
    }
  }, 60_000);
});
