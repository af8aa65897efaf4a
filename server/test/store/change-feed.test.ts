import { describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.js';
import { READ_CHANGES } from '../../src/store/sql/change-feed.js';
import type { SqlDriver } from '../../src/store/sql/driver.js';
import { CHANGES_CHANNEL } from '../../src/store/sql/migrations.js';
import { SqlStore } from '../../src/store/sql/sql-store.js';
import type { Change, FeedItem, StoredComment, StoredPost } from '../../src/store/store.js';
import { createUsers, logins, SQL_STORE_KINDS, STORE_KINDS, storeFixture } from '../support/store-adapters.js';
import { readFeed } from '../support/store-feed.js';

/** The accounts every test's posts, comments and votes are by. */
const USERS = ['ana', 'bob', 'cid'];

const newPost = (title = 'Live', text: string | null = null) => ({ title, url: null, text, author: 'ana' });
const isChange = (item: FeedItem<'posts'>): item is Change<StoredPost> => !('reset' in item);

describe.each(STORE_KINDS)('%s store: change feed', (kind) => {
  const stores = storeFixture(kind);

  test('post inserts, updates and deletes arrive in order, in the REST shape', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const feed = readFeed(store, 'posts');
    const { value: created } = await store.createPost(newPost());
    const voted = (await store.setVote(created.id, 'bob', 1))!;
    await store.deletePost(created.id);
    expect(await feed.take(3)).toEqual([
      { old_val: null, new_val: created },
      { old_val: created, new_val: voted },
      { old_val: voted, new_val: null },
    ]);
    expect(voted.version).toBe(2);
    await feed.stop();
  });

  test('comment changes arrive on the comments feed and their counts on the posts feed', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const posts = readFeed(store, 'posts');
    const comments = readFeed(store, 'comments');
    const { value: post } = await store.createPost(newPost());
    const { value: root } = await store.createComment({ postId: post.id, parentId: null, author: 'bob', text: 'root' });
    const { value: reply } = await store.createComment({ postId: post.id, parentId: root.id, author: 'cid', text: 'reply' });
    await store.deleteComment(post.id, root.id);
    await store.deletePost(post.id);

    expect(await comments.take(4)).toEqual(
      expect.arrayContaining([
        { old_val: null, new_val: root },
        { old_val: null, new_val: reply },
        { old_val: root, new_val: null },
        { old_val: reply, new_val: null },
      ]),
    );
    const postChanges = (await posts.take(5)) as Change<StoredPost>[];
    expect(postChanges.map((c) => [c.new_val?.commentCount ?? null, c.new_val?.version ?? null])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [0, 4],
      [null, null],
    ]);
    expect(postChanges[4]!.old_val).toEqual(postChanges[3]!.new_val);
  });

  test('deleting an account shows every removed and recounted row on the feeds', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const posts = readFeed(store, 'posts');
    const comments = readFeed(store, 'comments');
    const { value: own } = await store.createPost(newPost('own'));
    const { value: other } = await store.createPost({ ...newPost('other'), author: 'bob' });
    await store.setVote(other.id, 'ana', 1);
    const { value: onOwn } = await store.createComment({ postId: own.id, parentId: null, author: 'bob', text: 'on own' });
    const { value: anas } = await store.createComment({ postId: other.id, parentId: null, author: 'ana', text: 'by ana' });
    const { value: reply } = await store.createComment({ postId: other.id, parentId: anas.id, author: 'bob', text: 'reply' });
    await posts.take(6);
    await comments.take(3);

    await store.deleteUser('ana');
    const final = (await store.getPost(other.id))!;
    expect(final).toMatchObject({ upvotes: 0, commentCount: 0 });
    const postChanges = (await posts.take(2)) as Change<StoredPost>[];
    expect(postChanges).toEqual(
      expect.arrayContaining([
        { old_val: expect.objectContaining({ id: own.id }), new_val: null },
        { old_val: expect.objectContaining({ id: other.id, upvotes: 1, commentCount: 2 }), new_val: final },
      ]),
    );
    expect(await comments.take(3)).toEqual(
      expect.arrayContaining([
        { old_val: onOwn, new_val: null },
        { old_val: anas, new_val: null },
        { old_val: reply, new_val: null },
      ]),
    );
  });

  test('a 40,000-character post arrives whole', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const feed = readFeed(store, 'posts');
    const text = `${'x'.repeat(39_990)}ü€𝄞end`;
    const { value } = await store.createPost(newPost('Long', text.slice(0, 40_000)));
    const [change] = (await feed.take(1)) as Change<StoredPost>[];
    expect(change!.new_val).toEqual(value);
    expect(change!.new_val!.text).toHaveLength(value.text!.length);
  });

  test('a burst of concurrent votes arrives as one unbroken chain of changes, versions rising to the last', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS, ...logins('voter', 100));
    const feed = readFeed(store, 'posts');
    const { value: post } = await store.createPost(newPost());
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.setVote(post.id, `voter${i}`, 1)));
    const changes = (await feed.until((item) => isChange(item) && item.new_val?.version === 101)) as Change<StoredPost>[];
    // A store may fold the votes of one commit into one change (the SQL stores do): each change then starts
    // where the one before it ended, so no state is skipped between what a reader saw and what it sees next.
    expect(changes[0]).toEqual({ old_val: null, new_val: post });
    for (let i = 1; i < changes.length; i++) {
      expect(changes[i]!.old_val).toEqual(changes[i - 1]!.new_val);
      expect(changes[i]!.new_val!.version).toBeGreaterThan(changes[i - 1]!.new_val!.version);
    }
    expect(changes.at(-1)!.new_val).toEqual(await store.getPost(post.id));
  });

  test('iterators are independent: each sees every change, and stopping one leaves the other', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const first = readFeed(store, 'posts');
    const second = readFeed(store, 'posts');
    const { value: a } = await store.createPost(newPost('a'));
    expect(await first.take(1)).toEqual([{ old_val: null, new_val: a }]);
    await first.stop();
    const { value: b } = await store.createPost(newPost('b'));
    expect(await second.take(2)).toEqual([
      { old_val: null, new_val: a },
      { old_val: null, new_val: b },
    ]);
    const late = readFeed(store, 'posts');
    const { value: c } = await store.createPost(newPost('c'));
    expect(await late.until((item) => isChange(item) && item.new_val?.id === c.id)).toContainEqual({ old_val: null, new_val: c });
  });

  test('the feed ends when its signal aborts or the store closes', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const controller = new AbortController();
    const aborted = store.changes('posts', { signal: controller.signal })[Symbol.asyncIterator]();
    const closed = store.changes('comments')[Symbol.asyncIterator]();
    const pendingAbort = aborted.next();
    controller.abort();
    expect(await pendingAbort).toEqual({ value: undefined, done: true });
    const pendingClose = closed.next();
    await store.close();
    expect(await pendingClose).toEqual({ value: undefined, done: true });
    const afterClose = store.changes('posts')[Symbol.asyncIterator]();
    expect(await afterClose.next()).toEqual({ value: undefined, done: true });
  });

  test('a change committed right after changes() is called is delivered', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const iterator = store.changes('comments')[Symbol.asyncIterator]();
    const { value: post } = await store.createPost(newPost());
    const { value: comment } = await store.createComment({ postId: post.id, parentId: null, author: 'bob', text: 'now' });
    expect((await iterator.next()).value).toEqual({ old_val: null, new_val: comment } satisfies Change<StoredComment>);
    await iterator.return?.();
  });
});

describe('postgres store: change feed across failures', () => {
  const stores = storeFixture('postgres');

  async function sql(url: string, text: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  }

  /** Retries while the server is coming back. */
  async function eventually<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** A store whose posts feed has delivered a first post, `title`. */
  async function openFollowing(title: string) {
    const { store, url } = await stores.open();
    await createUsers(store, 'ana');
    const feed = readFeed(store, 'posts');
    const { value: first } = await store.createPost(newPost(title));
    expect(await feed.take(1)).toEqual([{ old_val: null, new_val: first }]);
    return { store, url: url!, feed };
  }

  test('after PostgreSQL restarts under a running feed, the feed reopens and later changes arrive', async () => {
    const { store, feed } = await openFollowing('before');

    await stores.postgres!.restart();
    const { value: after } = await eventually(() => store.createPost(newPost('after')));
    const items = await feed.until((item) => isChange(item) && item.new_val?.id === after.id);
    // Nothing was lost (the log survived the restart), so the feed caught up without a reset.
    expect(items).toEqual([{ old_val: null, new_val: after }]);
    await eventually(() => store.ping());
    await feed.stop();
  }, 60_000);

  test('a reader that fell behind the pruned log gets a reset, then the changes after it', async () => {
    const { store, url, feed } = await openFollowing('first');

    // Changes this reader never hears of, pruned, as if this node had been away longer than the log keeps.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    await other.query('BEGIN');
    await other.query(`INSERT INTO changes (tbl, new_val) SELECT 'posts', '{}' FROM generate_series(1, 3)`);
    await other.query('DELETE FROM changes');
    await other.query('UPDATE change_log_state SET pruned_through = (SELECT last_value FROM changes_seq_seq)');
    await other.query('COMMIT');
    await other.end();

    // The next change's notice does not follow what the reader delivered: it reads, and finds the log pruned past it.
    await store.createPost(newPost('after the gap'));
    expect(await feed.next()).toEqual({ reset: true });
    const { value: next } = await store.createPost(newPost('next'));
    expect(await feed.next()).toEqual({ old_val: null, new_val: next });
  });

  test('two nodes on one database each deliver every change once, in the same order, votes of both folded', async () => {
    const { store: one, url } = await stores.open();
    const two = await openStore({ kind: 'postgres', databaseUrl: url! });
    try {
      const voters = logins('voter', 40);
      await createUsers(one, ...USERS, ...voters);
      const feeds = [readFeed(one, 'posts'), readFeed(two, 'posts')];
      const posts = [(await one.createPost(newPost('a'))).value, (await two.createPost(newPost('b'))).value];
      // Each node casts a batch on both posts at once.
      await Promise.all(
        voters.map((login, i) => (i % 2 === 0 ? one : two).setVote(posts[i % 4 < 2 ? 0 : 1]!.id, login, i % 3 === 0 ? -1 : 1)),
      );
      const { value: last } = await two.createPost(newPost('last'));
      const seen = await Promise.all(
        feeds.map(async (feed) => (await feed.until((item) => isChange(item) && item.new_val?.id === last.id)) as Change<StoredPost>[]),
      );
      expect(seen[1]).toEqual(seen[0]);
      const versions = seen[0]!.map((change) => `${change.new_val!.id}@${change.new_val!.version}`);
      expect(new Set(versions).size).toBe(versions.length);
      for (const post of posts) {
        const chain = seen[0]!.filter((change) => change.new_val!.id === post.id);
        expect(chain[0]).toEqual({ old_val: null, new_val: post });
        expect(chain.slice(1).map((change) => change.old_val)).toEqual(chain.slice(0, -1).map((change) => change.new_val));
        expect(chain.at(-1)!.new_val).toEqual(await two.getPost(post.id));
        // 20 votes per post from two nodes: folded into a few changes, not 20.
        expect(chain.length).toBeLessThan(10);
      }
      await Promise.all(feeds.map((feed) => feed.stop()));
    } finally {
      await two.close();
    }
  });

  test("the change log's read is planned below JIT's threshold, as a generic plan too, over 100,000 changes", async () => {
    const { url } = await stores.open();
    const client = new pg.Client({ connectionString: url! });
    await client.connect();
    try {
      await client.query(`INSERT INTO changes (tbl, new_val) SELECT 'posts', '{}' FROM generate_series(1, 100000)`);
      await client.query('ANALYZE changes');
      await client.query(`PREPARE read_changes(bigint) AS ${READ_CHANGES}`);
      const threshold = Number((await client.query('SHOW jit_above_cost')).rows[0].jit_above_cost);
      for (const mode of ['force_custom_plan', 'force_generic_plan']) {
        await client.query(`SET plan_cache_mode = ${mode}`);
        const [{ 'QUERY PLAN': plan }] = (await client.query('EXPLAIN (FORMAT JSON) EXECUTE read_changes(50000)')).rows;
        expect(plan[0].Plan['Total Cost']).toBeLessThan(threshold);
        expect(plan[0].JIT).toBeUndefined();
      }
    } finally {
      await client.end();
    }
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /**
   * The database comes back without the last commit the reader delivered (its seq s, the sequence too), another
   * node's write takes seq s again, its notice lost with the reader's listening connection; then `next` writes the
   * change after it. The reader must find out by a read: a reset, or the row now at s.
   */
  /** The epoch the database's change log holds now. */
  async function loggedEpoch(url: string): Promise<string> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query('SELECT epoch::text AS epoch FROM change_log_state')).rows[0].epoch;
    } finally {
      await client.end();
    }
  }

  async function afterLostCommit(
    next: 'its own vote batch' | "another node's vote",
  ): Promise<{ seen: string[]; epochs: { before: string; logged: string; store: string | undefined } }> {
    const { store, url } = await stores.open();
    const other = await openStore({ kind: 'postgres', databaseUrl: url! });
    try {
      await createUsers(store, 'ana', 'bob');
      const feed = readFeed(store, 'posts');
      const { value: p1 } = await store.createPost(newPost('p1'));
      const { value: p2 } = await store.createPost(newPost('p2'));
      expect(await feed.take(2)).toEqual([
        { old_val: null, new_val: p1 },
        { old_val: null, new_val: p2 },
      ]);
      const before = store.epoch!;
      await Promise.all([store.ping(), other.ping()]);
      const client = new pg.Client({ connectionString: url! });
      await client.connect();
      try {
        const [{ s }] = (await client.query('SELECT max(seq)::int AS s FROM changes')).rows;
        await client.query('BEGIN');
        await client.query('DELETE FROM changes WHERE seq = $1', [s]);
        await client.query(`SELECT setval('changes_seq_seq', $1)`, [s - 1]);
        // Another created_at, so another stamp at s.
        await client.query('SELECT pg_sleep(0.002)');
        await client.query(`INSERT INTO changes (tbl, old_val, new_val) VALUES ('posts', $1::jsonb, $2::jsonb)`, [
          JSON.stringify(p1),
          JSON.stringify({ ...p1, title: 'written after the failover', version: p1.version + 1 }),
        ]);
        await client.query('COMMIT');
        const killed = await client.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'`,
        );
        expect(killed.rowCount).toBe(1);
      } finally {
        await client.end();
      }
      await (next === 'its own vote batch' ? store : other).setVote(p2.id, 'bob', 1);
      // The listener reconnects (backoff) and reads; then one more change.
      await sleep(1500);
      const { value: p3 } = await other.createPost(newPost('p3'));
      const items = await feed.until((item) => isChange(item) && item.new_val?.id === p3.id);
      await feed.stop();
      return {
        seen: items.map((item) => (isChange(item) ? item.new_val!.title : item.rewound ? 'reset, rewound' : 'reset')),
        epochs: { before, logged: await loggedEpoch(url!), store: store.epoch },
      };
    } finally {
      await other.close();
    }
  }

  test('a database that came back without a commit the reader delivered resets it, whether the next change is its own vote batch or not', async () => {
    for (const next of ["another node's vote", 'its own vote batch'] as const) {
      const { seen, epochs } = await afterLostCommit(next);
      // A client away meanwhile is told when it subscribes again: the log has another epoch, which the store names.
      expect(epochs.logged).not.toBe(epochs.before);
      expect(epochs.store).toBe(epochs.logged);
      expect({ next, found: seen.includes('reset, rewound') || seen.includes('written after the failover') }).toEqual({
        next,
        found: true,
      });
      // The database went back: a reset that did not say so would leave clients keeping the lost versions.
      expect(seen).not.toContain('reset');
    }
  }, 30_000);

  test('a change committed while a reset reads the head of the log is delivered then, not at the next change', async () => {
    const driver = await stores.blank();
    let heads = 0;
    let committed: Promise<StoredPost> | undefined;
    let store: SqlStore | undefined;
    const headRead: SqlDriver = {
      ...driver,
      async query(text, params, name) {
        const rows = await driver.query(text, params, name);
        // The reset's read of the head: a post commits after it, and its notice comes before the answer is used.
        if (text.includes('greatest(pruned_through') && ++heads === 2 && store) {
          committed = store.createPost(newPost('committed during the reset')).then((result) => result.value);
          await committed;
          await sleep(100);
        }
        return rows as never;
      },
    };
    store = await SqlStore.open('postgres', headRead);
    try {
      await createUsers(store, 'ana');
      const feed = readFeed(store, 'posts');
      const { value: first } = await store.createPost(newPost('first'));
      expect(await feed.take(1)).toEqual([{ old_val: null, new_val: first }]);
      await driver.query('UPDATE change_log_state SET epoch = gen_random_uuid()');
      await store.createPost(newPost('around the reset'));
      expect(await feed.next()).toEqual({ reset: true, rewound: true });
      expect(heads).toBe(2);
      const next = await Promise.race([feed.next(), sleep(2_000).then(() => 'nothing within 2 s')]);
      expect(next).toEqual({ old_val: null, new_val: await committed });
      await feed.stop();
    } finally {
      await store.close();
    }
  });

  test('while its listening connection is lost the store is not ready; back, it is, and the changes made meanwhile arrive', async () => {
    const { store, url, feed } = await openFollowing('before');
    await store.ping();

    // Its pool keeps its connections; the listener can neither stay nor come back.
    const database = new URL(url).pathname.slice(1);
    const admin = stores.postgres!.url;
    await sql(admin, `ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
    await sql(admin, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND query ILIKE 'LISTEN%'`);
    await eventually(async () => {
      await expect(store.ping()).rejects.toMatchObject({ kind: 'unavailable', detail: 'The change feed is not listening' });
    });
    const { value: meanwhile } = await store.createPost(newPost('meanwhile'));

    await sql(admin, `ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
    await eventually(() => store.ping());
    expect(await feed.until((item) => isChange(item) && item.new_val?.id === meanwhile.id)).toEqual([
      { old_val: null, new_val: meanwhile },
    ]);
    await feed.stop();
  }, 60_000);

  test('a reader whose database was replaced gets a reset', async () => {
    const { store, url } = await stores.open();
    await createUsers(store, 'ana');
    const feed = readFeed(store, 'posts');
    await sql(url!, 'UPDATE change_log_state SET epoch = gen_random_uuid()');
    await store.createPost(newPost('around the reset'));
    expect(await feed.next()).toEqual({ reset: true, rewound: true });
    const { value: next } = await store.createPost(newPost('next'));
    // Whether the post written around the reset comes after it depends on timing; the next one does.
    const after = await feed.until((item) => isChange(item) && item.new_val?.id === next.id);
    expect(after.every((item) => isChange(item))).toBe(true);
  });
});

describe.each(SQL_STORE_KINDS)('%s store: reading the change log', (kind) => {
  const stores = storeFixture(kind);

  /** A store whose reads of the change log are counted. */
  async function counted(): Promise<{ store: SqlStore; driver: SqlDriver; reads: () => number }> {
    const driver = await stores.blank();
    let reads = 0;
    const counting: SqlDriver = {
      ...driver,
      query: (text, params) => {
        if (text === READ_CHANGES) reads++;
        return driver.query(text, params);
      },
    };
    return { store: await SqlStore.open(kind, counting), driver, reads: () => reads };
  }

  /** A counted store whose posts feed has delivered a first post; `before`: the log's reads until then. */
  async function following() {
    const opened = await counted();
    await createUsers(opened.store, ...USERS);
    const feed = readFeed(opened.store, 'posts');
    const { value: first } = await opened.store.createPost(newPost('first'));
    expect(await feed.take(1)).toEqual([{ old_val: null, new_val: first }]);
    return { ...opened, feed, first, before: opened.reads() };
  }

  test('changes announced with their content are delivered from the notice, without reading the log', async () => {
    const { store, reads } = await counted();
    await createUsers(store, ...USERS);
    const posts = readFeed(store, 'posts');
    const comments = readFeed(store, 'comments');
    const { value: first } = await store.createPost(newPost('first'));
    expect(await posts.take(1)).toEqual([{ old_val: null, new_val: first }]);
    const before = reads();

    // Each write once the one before is delivered: a writer's answer and the notices come on two connections, and
    // an answer carrying changes past one not yet announced (a vote's) is rightly read from the log.
    const { value: post } = await store.createPost(newPost('second'));
    expect(await posts.take(1)).toEqual([{ old_val: null, new_val: post }]);
    const voted = (await store.setVote(post.id, 'bob', 1))!;
    expect(await posts.take(1)).toEqual([{ old_val: post, new_val: voted }]);
    const { value: comment } = await store.createComment({ postId: post.id, parentId: null, author: 'cid', text: 'hi' });
    const commented = (await store.getPost(post.id))!;
    expect(await comments.take(1)).toEqual([{ old_val: null, new_val: comment }]);
    expect(await posts.take(1)).toEqual([{ old_val: voted, new_val: commented }]);
    await store.deletePost(post.id);
    expect(await posts.take(1)).toEqual([{ old_val: commented, new_val: null }]);
    expect(await comments.take(1)).toEqual([{ old_val: comment, new_val: null }]);
    expect(reads() - before).toBe(0);
    await posts.stop();
    await comments.stop();
    await store.close();
  });

  test('a change too large for a notice is read from the log, in order with the changes around it', async () => {
    const { store, reads, feed, before } = await following();
    const { value: small } = await store.createPost(newPost('small'));
    const { value: large } = await store.createPost(newPost('large', 'x'.repeat(9_000)));
    const { value: after } = await store.createPost(newPost('after'));
    expect(await feed.take(3)).toEqual([
      { old_val: null, new_val: small },
      { old_val: null, new_val: large },
      { old_val: null, new_val: after },
    ]);
    expect(reads() - before).toBeGreaterThan(0);
    await feed.stop();
    await store.close();
  });

  test('a row the reader was not told of is not skipped: the next notice does not follow it, so the log is read', async () => {
    const { store, driver, reads, feed, first, before } = await following();
    // As a writer that announced nothing, and a seq lost to a rolled-back insert.
    const silent = { ...first, title: 'silent', version: first.version + 1 };
    await driver.query(`INSERT INTO changes (tbl, old_val, new_val) VALUES ('posts', $1::jsonb, $2::jsonb)`, [
      JSON.stringify(first),
      JSON.stringify(silent),
    ]);
    await driver
      .transaction(async (tx) => {
        await tx.query(`INSERT INTO changes (tbl, new_val) VALUES ('posts', '{}')`);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    const { value: next } = await store.createPost(newPost('next'));
    expect(await feed.take(2)).toEqual([
      { old_val: first, new_val: silent },
      { old_val: null, new_val: next },
    ]);
    expect(reads() - before).toBeGreaterThan(0);
    await feed.stop();
    await store.close();
  });

  test('a bare seq, as a writer of the previous version announces, or a payload that is no notice, is read', async () => {
    const { store, driver, feed, first } = await following();
    const renamed = { ...first, title: 'renamed', version: first.version + 1 };
    await driver.transaction(async (tx) => {
      const [row] = await tx.query<{ seq: string }>(
        `INSERT INTO changes (tbl, old_val, new_val) VALUES ('posts', $1::jsonb, $2::jsonb) RETURNING seq::text`,
        [JSON.stringify(first), JSON.stringify(renamed)],
      );
      await tx.query(`SELECT pg_notify('${CHANGES_CHANNEL}', $1)`, [row!.seq]);
    });
    expect(await feed.take(1)).toEqual([{ old_val: first, new_val: renamed }]);

    // A payload that is no notice at all only tells that the log changed.
    const again = { ...renamed, title: 'again', version: renamed.version + 1 };
    await driver.transaction(async (tx) => {
      await tx.query(`INSERT INTO changes (tbl, old_val, new_val) VALUES ('posts', $1::jsonb, $2::jsonb)`, [
        JSON.stringify(renamed),
        JSON.stringify(again),
      ]);
      await tx.query(`SELECT pg_notify('${CHANGES_CHANNEL}', '{"r": "not rows"}')`);
    });
    expect(await feed.take(1)).toEqual([{ old_val: renamed, new_val: again }]);
    await feed.stop();
    await store.close();
  });

  test('a commit of many changes is read once, not once per notification', async () => {
    const { store, driver, reads } = await counted();
    await createUsers(store, ...USERS, ...logins('voter', 60));
    const feed = readFeed(store, 'posts');
    const { value: post } = await store.createPost(newPost());
    await feed.take(1);
    const [mark] = await driver.query<{ seq: string }>('SELECT coalesce(max(seq), 0)::text AS seq FROM changes');
    const before = reads();
    await Promise.all(Array.from({ length: 60 }, (_, i) => store.setVote(post.id, `voter${i}`, 1)));
    const { value: last } = await store.createPost(newPost('after the votes'));
    const changes = (await feed.until((item) => isChange(item) && item.new_val?.id === last.id)) as Change<StoredPost>[];
    expect(changes.at(-2)!.new_val!.version).toBe(61);
    expect(changes.at(-1)!.new_val).toEqual(last);
    const [log] = await driver.query<{ commits: number }>(
      'SELECT count(DISTINCT xmin::text)::integer AS commits FROM changes WHERE seq > $1',
      [mark!.seq],
    );
    // The votes share commits, and no more reads than commits.
    expect(log!.commits).toBeLessThan(30);
    expect(reads() - before).toBeLessThanOrEqual(log!.commits);
    await feed.stop();
    await store.close();
  });

  test("a batch of votes on more posts than a notice carries is delivered from the batch's answer, as the log holds it", async () => {
    const { store, driver, reads, feed, before } = await following();
    const voters = logins('voter', 12);
    await createUsers(store, ...voters);
    const posts: StoredPost[] = [];
    for (const title of voters) posts.push((await store.createPost(newPost(title))).value);
    await feed.take(posts.length);
    const [mark] = await driver.query<{ seq: string }>('SELECT max(seq)::text AS seq FROM changes');
    const read = reads();
    // One turn, so one batch: 12 posts, more than a NOTIFY payload carries, so its notice is a bare seq.
    const answers = await Promise.all(voters.map((login, i) => store.setVote(posts[i]!.id, login, i % 3 === 0 ? -1 : 1)));
    const changes = await feed.take(posts.length);
    const log = await driver.query<{ old_val: StoredPost; new_val: StoredPost }>(
      'SELECT old_val, new_val FROM changes WHERE seq > $1 ORDER BY seq',
      [mark!.seq],
    );
    expect(log).toHaveLength(posts.length);
    expect(changes).toEqual(log);
    expect(new Set(log.map((change) => change.new_val.id))).toEqual(new Set(posts.map((post) => post.id)));
    expect(answers).toEqual(expect.arrayContaining(log.map((change) => change.new_val)));
    expect(log.map((change) => change.old_val)).toEqual(expect.arrayContaining(posts));
    expect(reads() - read).toBe(0);
    expect(read).toBeGreaterThanOrEqual(before);
    await feed.stop();
    await store.close();
  });
});
