import { describe, expect, test } from '@jest/globals';
import rethinkdb from 'rethinkdb';
import { voteId } from '../../src/store/rethinkdb/documents.js';
import { TABLES } from '../../src/store/rethinkdb/schema.js';
import type { RethinkdbStore, RethinkdbStoreOptions } from '../../src/store/rethinkdb.js';
import type { Change, StoredPost, Vote } from '../../src/store/store.js';
import { StoreError } from '../../src/store/store-error.js';
import { admin, createRethinkdbStore, findRethinkdb, startRethinkdb, type TestRethinkdb } from '../support/rethinkdb.js';
import { createUsers, logins } from '../support/store-adapters.js';
import { type FeedReader, readFeed } from '../support/store-feed.js';

// Without a binary these tests cannot run; the one line saying so is printed by the jest global setup.
const onRethinkdb = findRethinkdb() ? describe : describe.skip;

const newPost = (title: string) => ({ title, url: null, text: null, author: 'ana' });

/**
 * Retries a write while the cluster elects new primaries or comes back; any other failure is the
 * test's. Bounded below the tests' own limits, so that a store that never recovers fails with its error.
 */
async function acknowledged<T>(write: () => Promise<T>): Promise<T> {
  for (const deadline = Date.now() + 120_000; ; ) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof StoreError && error.kind === 'unavailable') || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The feed's change that made `post` (or a later one), or 'reset' when the feed was reopened first. */
async function nextChange(feed: FeedReader<'posts'>, post: StoredPost): Promise<Change<StoredPost> | 'reset'> {
  for (;;) {
    const item = await feed.next();
    if ('reset' in item) return 'reset';
    if (item.new_val?.id === post.id && item.new_val.version >= post.version) return item;
  }
}

/**
 * What a subscriber holds of `post` once `done` accepts it: it takes the feed's newer versions of the
 * post, and reads the post again when the feed resets (changes made while it reopened are not in it).
 */
async function follow(
  feed: FeedReader<'posts'>,
  store: RethinkdbStore,
  post: StoredPost,
  done: (view: StoredPost) => boolean,
): Promise<StoredPost> {
  let view = post;
  while (!done(view)) {
    const item = await feed.next();
    if ('reset' in item) view = (await acknowledged(() => store.getPost(post.id))) ?? view;
    else if (item.new_val?.id === post.id && item.new_val.version > view.version) view = item.new_val;
  }
  return view;
}

onRethinkdb('rethinkdb store on three servers, tables 3 shards × 3 replicas', () => {
  let cluster: TestRethinkdb;
  const stores: { cleanup(): Promise<void> }[] = [];
  beforeAll(async () => {
    cluster = await startRethinkdb(3);
  }, 180_000);
  afterAll(async () => {
    for (const opened of stores) await opened.cleanup();
    await cluster?.stop();
  });

  async function fresh(options: RethinkdbStoreOptions = {}): Promise<{ store: RethinkdbStore; url: string; db: string }> {
    const opened = await createRethinkdbStore(cluster, { layout: { shards: 3, replicas: 3 }, ...options });
    stores.push(opened);
    return { store: opened.store, url: opened.url, db: opened.url.split('/').at(-1)! };
  }

  test('the tables are created 3 × 3, with majority write acknowledgements', async () => {
    const { db } = await fresh();
    const configs: any[] = await admin(cluster, (c) =>
      (rethinkdb.db('rethinkdb').table('table_config').filter({ db }) as any).coerceTo('array').run(c),
    );
    expect(configs.map((config: any) => config.name).sort()).toEqual(Object.keys(TABLES).sort());
    for (const config of configs) {
      expect(config.shards).toHaveLength(3);
      for (const shard of config.shards) expect(new Set(shard.replicas).size).toBe(3);
      expect(config.write_acks).toBe('majority');
      expect(config.durability).toBe('hard');
    }
  }, 60_000);

  test('concurrency: 200 voters count 200, 50 repeats count once, up → down moves both, and the recount changes nothing', async () => {
    const { store } = await fresh();
    await createUsers(store, 'ana', 'bob', ...logins('voter', 200));
    const { value: post } = await store.createPost(newPost('contested'));
    await Promise.all(logins('voter', 200).map((voter) => store.setVote(post.id, voter, 1)));
    expect(await store.getPost(post.id)).toMatchObject({ upvotes: 200, downvotes: 0, score: 200, version: 201 });

    const { value: other } = await store.createPost(newPost('repeated'));
    await Promise.all(Array.from({ length: 50 }, () => store.setVote(other.id, 'bob', 1)));
    expect(await store.getPost(other.id)).toMatchObject({ upvotes: 1, version: 2 });
    expect(await store.setVote(other.id, 'bob', -1)).toMatchObject({ upvotes: 0, downvotes: 1, score: -1, version: 3 });

    expect(await store.recount()).toBe(0);
    expect(await store.getPost(post.id)).toMatchObject({ upvotes: 200, version: 201 });
  }, 120_000);

  test('repair: counters corrupted on purpose are restored by the recount, and the feed carries the corrected post', async () => {
    const { store, db } = await fresh();
    await createUsers(store, 'ana', 'bob', 'cid');
    const { value: post } = await store.createPost(newPost('damaged'));
    await store.setVote(post.id, 'bob', 1);
    const good = (await store.setVote(post.id, 'cid', -1))!;
    await store.createComment({ postId: post.id, parentId: null, author: 'bob', text: 'counted' });
    const before = (await store.getPost(post.id))!;
    // As a crash between a vote's two steps would leave it, and worse.
    await admin(cluster, (c) =>
      (rethinkdb.db(db).table('posts').get(post.id) as any).update({ upvotes: 7, downvotes: 0, score: 7, commentCount: 5 }).run(c),
    );
    const feed = readFeed(store, 'posts');
    expect(await store.recount()).toBe(1);
    const repaired = (await store.getPost(post.id))!;
    expect(repaired).toMatchObject({ upvotes: 1, downvotes: 1, score: 0, commentCount: 1, version: before.version + 1 });
    expect(good.score).toBe(0);
    const changes = (await feed.until((item) => 'new_val' in item && item.new_val?.version === repaired.version)) as Change<StoredPost>[];
    expect(changes.at(-1)!.new_val).toEqual(repaired);
    await feed.stop();
  }, 60_000);

  test('a vote written while a repair pauses to confirm is never counted twice', async () => {
    const { store, db } = await fresh();
    await createUsers(store, 'ana', 'bob', 'cid', 'dan', 'eve');
    const { value: post } = await store.createPost(newPost('repaired while voted on'));
    for (const voter of ['bob', 'cid', 'dan']) await store.setVote(post.id, voter, 1);
    const posts = () => rethinkdb.db(db).table('posts').get(post.id) as any;
    await admin(cluster, (c) => posts().update({ upvotes: 0, score: 0 }).run(c));
    // The repair reads, pauses and reads again; a vote's first step (its document) lands in the pause...
    const repair = store.recount([post.id], { settleMs: 3_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await admin(cluster, (c) =>
      rethinkdb
        .db(db)
        .table('votes')
        .insert({ id: voteId(post.id, 'eve'), postId: post.id, login: 'eve', value: 1 })
        .run(c),
    );
    await repair;
    // ...and its second step (the counter) after the repair.
    await admin(cluster, (c) =>
      posts()
        .update((row: any) => ({ upvotes: row('upvotes').add(1), score: row('score').add(1), version: row('version').add(1) }))
        .run(c),
    );
    expect((await store.getPost(post.id))!.upvotes).toBeLessThanOrEqual(4);
    // Nothing in flight now: the next recount repairs it.
    expect(await store.recount([post.id])).toBe(1);
    expect(await store.getPost(post.id)).toMatchObject({ upvotes: 4, score: 4 });
  }, 60_000);

  test('kill -9 of one server under writes: every write is acknowledged, a subscriber converges, the server rejoins', async () => {
    // A short query timeout: queries the lost server left unanswered fail sooner, and the background repair settles sooner.
    const { store } = await fresh({ queryTimeoutMs: 5_000 });
    const voters = logins('voter', 60);
    await createUsers(store, 'ana', ...voters);
    const { value: post } = await store.createPost(newPost('through a crash'));
    const feed = readFeed(store, 'posts');
    const victim = cluster.servers[2]!;
    const writes = voters.map(async (voter, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 20));
      return acknowledged(() => store.setVote(post.id, voter, (i % 3 === 0 ? -1 : 1) as Vote));
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await victim.kill();
    const results = await Promise.all(writes);
    expect(results.every((result) => result !== null)).toBe(true);
    // A write whose answer the crash lost may have left the counters off; the node repairs them in the
    // background, and a subscriber (reading the post again on a reset, as clients do) ends with every vote counted.
    const seen = await follow(feed, store, post, (view) => view.upvotes === 40 && view.downvotes === 20);
    expect(await acknowledged(() => store.getPost(post.id))).toEqual(seen);

    await victim.start();
    const back = (await acknowledged(() => store.setVote(post.id, 'ana', 1)))!;
    expect(back).toMatchObject({ upvotes: 41, downvotes: 20 });
    expect(await follow(feed, store, post, (view) => view.version >= back.version)).toEqual(back);
    // The node is ready again, and its feed runs: a change made now comes through it (unless the
    // rejoining server taking its primaries back resets the feed once more; then the next one does).
    await acknowledged(() => store.ping());
    for (let vote: Vote = -1; ; vote = vote === 1 ? -1 : 1) {
      const changed = (await acknowledged(() => store.setVote(post.id, 'ana', vote)))!;
      const item = await nextChange(feed, changed);
      if (item === 'reset') continue;
      expect(item.new_val).toEqual(changed);
      break;
    }
    await feed.stop();
  }, 180_000);

  test('every server stopped: the store is unavailable; back: it recovers by itself and the feed resets', async () => {
    const { store } = await fresh();
    await createUsers(store, 'ana');
    const feed = readFeed(store, 'posts');
    for (const server of cluster.servers) await server.stop();
    await expect(store.ping()).rejects.toMatchObject({ kind: 'unavailable' });
    await expect(store.createPost(newPost('nowhere'))).rejects.toMatchObject({ kind: 'unavailable' });
    for (const server of cluster.servers) await server.start();
    await acknowledged(() => store.ping());
    // Ready means the feed runs again: its reset is already queued by the time ping succeeds.
    const queued = await Promise.race([feed.next(), new Promise((resolve) => setImmediate(() => resolve('nothing queued')))]);
    expect(queued).toEqual({ reset: true });
    const { value: after } = await acknowledged(() => store.createPost(newPost('after')));
    const items = await feed.until((item) => 'new_val' in item && item.new_val?.id === after.id);
    expect(items.at(-1)).toMatchObject({ new_val: { id: after.id } });
    await feed.stop();
  }, 180_000);
});
