import { describe, expect, test } from '@jest/globals';
import rethinkdb from 'rethinkdb';
import { RethinkdbConnection } from '../../src/store/rethinkdb/connection.js';
import { startRepairs } from '../../src/store/rethinkdb/repairs.js';
import { TABLES } from '../../src/store/rethinkdb/schema.js';
import { context } from '../../src/store/rethinkdb/tables.js';
import { parseRethinkdbUrl } from '../../src/store/rethinkdb/url.js';
import { openRethinkdbStore, type RethinkdbStore } from '../../src/store/rethinkdb.js';
import type { Change, StoredPost } from '../../src/store/store.js';
import { admin, createRethinkdbStore, findRethinkdb, startRethinkdb, type TestRethinkdb } from '../support/rethinkdb.js';
import { createUsers } from '../support/store-adapters.js';
import { readFeed } from '../support/store-feed.js';

// Without a binary these tests cannot run; the one line saying so is printed by the jest global setup.
const onRethinkdb = findRethinkdb() ? describe : describe.skip;

const newPost = (title: string) => ({ title, url: null, text: null, author: 'ana' });
const LAYOUT = { shards: 3, replicas: 3 };

/** A URL naming the cluster's servers starting with server `first`, so that a store connects there first. */
function urlFrom(cluster: TestRethinkdb, first: number, db: string): string {
  const ports = cluster.servers.map((server) => server.driverPort);
  const ordered = [...ports.slice(first), ...ports.slice(0, first)];
  return `rethinkdb://${ordered.map((port) => `127.0.0.1:${port}`).join(',')}/${db}`;
}

onRethinkdb('rethinkdb store: racing schema creation, background repair', () => {
  let cluster: TestRethinkdb;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    cluster = await startRethinkdb(3);
  }, 180_000);
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    await cluster?.stop();
  }, 60_000);

  test('several nodes creating the schema at once through different servers all open, on one database with one copy of each table', async () => {
    for (let round = 0; round < 3; round++) {
      const db = `race_${round}_${Date.now()}`;
      const stores = await Promise.all(cluster.servers.map((_, i) => openRethinkdbStore(urlFrom(cluster, i, db), { layout: LAYOUT })));
      cleanups.push(...stores.map((store) => () => store.close()));
      const databases = await admin(cluster, (c) =>
        (rethinkdb.db('rethinkdb').table('db_config').filter({ name: db }) as any).count().run(c),
      );
      expect(databases).toBe(1);
      const tables: string[] = await admin(cluster, (c) =>
        (rethinkdb.db('rethinkdb').table('table_config').filter({ db }) as any)('name').coerceTo('array').run(c),
      );
      expect(tables.sort()).toEqual(Object.keys(TABLES).sort());
      // What one node writes, the others read.
      await createUsers(stores[0]!, 'ana');
      const { value: post } = await stores[1]!.createPost(newPost(`round ${round}`));
      expect(await stores[2]!.getPost(post.id)).toEqual(post);
    }
  }, 180_000);

  test('counters left off by a crash between the two steps are repaired in the background, and the feed carries the fix', async () => {
    const opened = await createRethinkdbStore(cluster, { layout: LAYOUT, recountIntervalMs: 1_000, queryTimeoutMs: 5_000 });
    cleanups.push(opened.cleanup);
    const store: RethinkdbStore = opened.store;
    const db = opened.url.split('/').at(-1)!;
    await createUsers(store, 'ana', 'bob', 'cid');
    const { value: post } = await store.createPost(newPost('half-voted'));
    await store.setVote(post.id, 'bob', 1);
    const voted = (await store.getPost(post.id))!;
    const feed = readFeed(store, 'posts');
    // As a node that crashed after writing cid's vote and before moving the counters leaves it.
    await admin(cluster, (c) =>
      (rethinkdb.db(db).table('votes') as any).insert({ id: `${post.id}/cid`, postId: post.id, login: 'cid', value: -1 }).run(c),
    );
    const changes = (await feed.until((item) => 'new_val' in item && item.new_val?.id === post.id)) as Change<StoredPost>[];
    expect(changes.at(-1)!.new_val).toMatchObject({ upvotes: 1, downvotes: 1, score: 0, version: voted.version + 1 });
    expect(await store.getPost(post.id)).toEqual(changes.at(-1)!.new_val);
    await feed.stop();
  }, 60_000);

  test('a suspect post that changes while it is being confirmed stays a suspect, and is repaired once it holds still', async () => {
    const opened = await createRethinkdbStore(cluster, { layout: LAYOUT, recountIntervalMs: 0 });
    cleanups.push(opened.cleanup);
    const store: RethinkdbStore = opened.store;
    const db = opened.url.split('/').at(-1)!;
    await createUsers(store, 'ana', 'bob', 'cid', 'dan');
    const { value: post } = await store.createPost(newPost('busy and off'));
    await store.setVote(post.id, 'bob', 1);
    // As a node whose counters' update failed leaves it: cid's vote written, the counters not moved, the post a suspect.
    await admin(cluster, (c) =>
      (rethinkdb.db(db).table('votes') as any).insert({ id: `${post.id}/cid`, postId: post.id, login: 'cid', value: 1 }).run(c),
    );
    const connection = new RethinkdbConnection(parseRethinkdbUrl(opened.url)!, 30_000);
    const ctx = context(connection);
    ctx.suspects.add(post.id);
    // Votes on the post every 50 ms for 1.5 s: each pass (every 100 ms, confirming after 300 ms) sees it change.
    let churning = true;
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        await store.setVote(post.id, 'dan', i % 2 === 0 ? 1 : 0);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await store.setVote(post.id, 'dan', 0);
    })();
    const stopRepairs = startRepairs(ctx, { sweepMs: 0, retryMs: 100, settleMs: 300 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      churning = false;
      await churn;
      const deadline = Date.now() + 10_000;
      while ((await store.getPost(post.id))!.upvotes !== 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await store.getPost(post.id)).toMatchObject({ upvotes: 2, downvotes: 0, score: 2 });
      expect(ctx.suspects.has(post.id)).toBe(false);
    } finally {
      churning = false;
      await churn.catch(() => undefined);
      await stopRepairs();
      await connection.close();
    }
  }, 60_000);
});
