import { describe, expect, test } from '@jest/globals';
import { hotRank } from '@news-forum/protocol';
import type { SqlExecutor } from '../../src/store/sql/driver.js';
import { migrate } from '../../src/store/sql/migrations.js';
import { SqlStore } from '../../src/store/sql/sql-store.js';
import type { Change, Store, StoredPost } from '../../src/store/store.js';
import { StoreError } from '../../src/store/store-error.js';
import { createUsers, logins, SQL_STORE_KINDS, STORE_KINDS, storeFixture } from '../support/store-adapters.js';
import { readFeed } from '../support/store-feed.js';

/** The accounts every test's posts, comments and votes are by. */
const USERS = ['ana', 'bob', 'cid'];

async function aPost(store: Store): Promise<StoredPost> {
  return (await store.createPost({ title: 'Vote on me', url: null, text: null, author: 'ana' })).value;
}

describe.each(STORE_KINDS)('%s store: votes', (kind) => {
  const stores = storeFixture(kind);

  test('200 different users voting at once count 200', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS, ...logins('voter', 200));
    const post = await aPost(store);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.setVote(post.id, `voter${i}`, 1)));
    expect(results.every((result) => result !== null)).toBe(true);
    const after = (await store.getPost(post.id))!;
    expect(after).toMatchObject({ upvotes: 200, downvotes: 0, score: 200, version: 201 });
    // Each vote saw a distinct state: the versions returned are 2..201.
    expect(new Set(results.map((result) => result!.version)).size).toBe(200);
  });

  test('one user upvoting 50 times at once counts once, and each is answered with the counted post', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const post = await aPost(store);
    const answers = await Promise.all(Array.from({ length: 50 }, () => store.setVote(post.id, 'bob', 1)));
    expect(answers.map((answer) => answer?.upvotes)).toEqual(Array.from({ length: 50 }, () => 1));
    expect(await store.getPost(post.id)).toMatchObject({ upvotes: 1, downvotes: 0, score: 1, version: 2 });
    expect(await store.getVotes('bob', [post.id])).toEqual(new Map([[post.id, 1]]));
  });

  test('switching, repeating and retracting move the counters and the version exactly', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const post = await aPost(store);
    const up = await store.setVote(post.id, 'bob', 1);
    expect(up).toMatchObject({ upvotes: 1, downvotes: 0, score: 1, version: 2 });
    const again = await store.setVote(post.id, 'bob', 1);
    expect(again).toEqual(up);
    const down = await store.setVote(post.id, 'bob', -1);
    expect(down).toMatchObject({ upvotes: 0, downvotes: 1, score: -1, version: 3 });
    expect(await store.getVotes('bob', [post.id])).toEqual(new Map([[post.id, -1]]));
    const retracted = await store.setVote(post.id, 'bob', 0);
    expect(retracted).toMatchObject({ upvotes: 0, downvotes: 0, score: 0, version: 4 });
    expect(await store.setVote(post.id, 'bob', 0)).toEqual(retracted);
    expect(await store.getVotes('bob', [post.id])).toEqual(new Map());
  });

  test('mixed concurrent switching by many users ends consistent with the votes', async () => {
    const store = await stores.fresh();
    const voters = logins('voter', 40);
    await createUsers(store, ...USERS, ...voters);
    const post = await aPost(store);
    // Every voter votes up, down and up again (or retracts), all interleaved.
    await Promise.all(
      voters.map(async (voter, i) => {
        await store.setVote(post.id, voter, 1);
        await store.setVote(post.id, voter, -1);
        await store.setVote(post.id, voter, i % 4 === 0 ? 0 : i % 2 === 0 ? 1 : -1);
      }),
    );
    const votes = await Promise.all(voters.map((voter) => store.getVotes(voter, [post.id])));
    const ups = votes.filter((v) => v.get(post.id) === 1).length;
    const downs = votes.filter((v) => v.get(post.id) === -1).length;
    expect(ups).toBe(10);
    expect(downs).toBe(20);
    const after = (await store.getPost(post.id))!;
    // Odd voters' third vote repeats their second and changes nothing.
    const changes = 2 * voters.length + voters.length / 2;
    expect(after).toMatchObject({ upvotes: ups, downvotes: downs, score: ups - downs, version: 1 + changes });
  });

  test('deleting a voter while others vote keeps the counters exact', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS, ...logins('voter', 50));
    const { value: post } = await store.createPost({ title: 'By bob', url: null, text: null, author: 'bob' });
    await store.setVote(post.id, 'ana', 1);
    await Promise.all([
      store.deleteUser('ana'),
      ...Array.from({ length: 50 }, (_, i) => store.setVote(post.id, `voter${i}`, i % 5 === 0 ? -1 : 1)),
    ]);
    expect(await store.getPost(post.id)).toMatchObject({ upvotes: 40, downvotes: 10, score: 30 });
    expect(await store.getVotes('ana', [post.id])).toEqual(new Map());
  });

  test('the hot rank follows the votes', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS, ...logins('voter', 20));
    const older = await aPost(store);
    const newer = await aPost(store);
    const ids = async () => (await store.listPosts('hot', { limit: 10 })).items.map((post) => post.id);
    for (let i = 0; i < 20; i++) await store.setVote(older.id, `voter${i}`, 1);
    expect(await ids()).toEqual([older.id, newer.id]);
    for (let i = 0; i < 20; i++) await store.setVote(older.id, `voter${i}`, -1);
    expect(await ids()).toEqual([newer.id, older.id]);
    const [top] = (await store.listPosts('hot', { limit: 1 })).items;
    expect(hotRank(top!)).toBeGreaterThan(hotRank((await store.getPost(older.id))!));
  });

  test('voting on a missing post returns null and records nothing', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const missing = '0b6f3a52-9c1e-4a8e-b1b4-6f1d2c3e4a5b';
    expect(await store.setVote(missing, 'bob', 1)).toBeNull();
    expect(await store.setVote('nope', 'bob', 1)).toBeNull();
    expect(await store.getVotes('bob', [missing, 'nope'])).toEqual(new Map());
  });
});

describe.each(SQL_STORE_KINDS)('%s store: votes batched into commits', (kind) => {
  const stores = storeFixture(kind);

  test("the database's hot rank, written by each vote, equals the protocol's hotRank", async () => {
    const driver = await stores.blank();
    await migrate(driver);
    const cases: { upvotes: number; downvotes: number; createdAt: string }[] = [];
    const times = ['2005-12-08T07:46:43.000Z', '2015-03-01T12:00:00.001Z', '2026-12-02T16:59:59.999Z', '2031-07-15T03:33:33.333Z'];
    for (const createdAt of times) {
      for (const [upvotes, downvotes] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [2, 1],
        [7, 3],
        [10, 0],
        [0, 10],
        [99, 1],
        [12_345, 678],
        [3, 1_000_003],
      ] as const) {
        cases.push({ upvotes, downvotes, createdAt });
      }
    }
    const rows = await driver.query<{ hot: number }>(
      `SELECT hot_rank(u, d, c) AS hot
         FROM unnest($1::integer[], $2::integer[], $3::timestamptz[]) WITH ORDINALITY AS t(u, d, c, n) ORDER BY n`,
      [cases.map((c) => c.upvotes), cases.map((c) => c.downvotes), cases.map((c) => c.createdAt)],
    );
    expect(rows.map((row) => row.hot)).toEqual(cases.map(hotRank));
  });

  test('votes cast at once share commits; each is answered as its own and a failing one fails alone', async () => {
    const driver = await stores.blank();
    const store = await SqlStore.open(kind, driver);
    const voters = logins('voter', 120);
    await createUsers(store, ...USERS, ...voters);
    const posts = [await aPost(store), await aPost(store), await aPost(store)];
    const [mark] = await driver.query<{ seq: string }>('SELECT coalesce(max(seq), 0)::text AS seq FROM changes');
    const votes = voters.map((login, i) => ({ login, post: posts[i % 3]!, value: i % 4 === 0 ? -1 : 1 }) as const);
    const ghost = store.setVote(posts[0]!.id, 'ghost', 1).then(
      () => undefined,
      (error: unknown) => error,
    );
    const results = await Promise.all(votes.map(({ login, post, value }) => store.setVote(post.id, login, value)));
    const refused = await ghost;
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).kind).toBe('account-gone');

    expect(results.map((result) => result?.id)).toEqual(votes.map((vote) => vote.post.id));
    for (const post of posts) {
      const mine = votes.filter((vote) => vote.post === post);
      const answers = results.filter((result) => result?.id === post.id).map((result) => result!.version);
      // Each vote saw a state of its own: versions 2 … n+1, once each.
      expect(answers.sort((a, b) => a - b)).toEqual(mine.map((_, i) => i + 2));
      expect(await store.getPost(post.id)).toMatchObject({
        upvotes: mine.filter((vote) => vote.value === 1).length,
        downvotes: mine.filter((vote) => vote.value === -1).length,
        version: mine.length + 1,
      });
    }
    // The votes reached the change log in far fewer commits than votes, each commit with one change per post it
    // voted on: per post, the changes run unbroken from the post as created to its final state.
    const log = await driver.query<{ commit: string; old_val: StoredPost; new_val: StoredPost }>(
      'SELECT xmin::text AS commit, old_val, new_val FROM changes WHERE seq > $1 ORDER BY seq',
      [mark!.seq],
    );
    const commits = new Set(log.map((row) => row.commit));
    expect(commits.size).toBeLessThan(20);
    for (const post of posts) {
      const chain = log.filter((row) => row.new_val.id === post.id);
      expect(new Set(chain.map((row) => row.commit)).size).toBe(chain.length);
      expect(chain[0]!.old_val).toEqual(post);
      expect(chain.slice(1).map((row) => row.old_val)).toEqual(chain.slice(0, -1).map((row) => row.new_val));
      expect(chain.at(-1)!.new_val).toEqual(await store.getPost(post.id));
    }
    await store.close();
  });

  test('a batch cast at once answers and leaves what its votes cast one by one leave', async () => {
    const driver = await stores.blank();
    const store = await SqlStore.open(kind, driver);
    const voters = ['ana', 'bob', 'cid', 'dee', 'eve'];
    await createUsers(store, ...voters);
    const posts = [await aPost(store), await aPost(store), await aPost(store), await aPost(store)].map((post) => post.id);
    for (const [i, login] of voters.entries()) {
      await store.setVote(posts[i % 4]!, login, 1);
      await store.setVote(posts[(i + 1) % 4]!, login, -1);
    }
    const hidden = posts[3]!;
    await driver.query('UPDATE posts SET hidden = true WHERE id = $1', [hidden]);
    const missing = '0b6f3a52-9c1e-4a8e-b1b4-6f1d2c3e4a5b';
    const rollback = new Error('rolled back');
    /** Runs `cast` in a transaction that is rolled back; resolves to its answers and the votes and posts it left. */
    const trial = async (cast: (tx: SqlExecutor) => Promise<unknown[]>) => {
      let seen: unknown;
      await driver
        .transaction(async (tx) => {
          const answers = await cast(tx);
          const votes = await tx.query('SELECT post_id::text, login, value FROM votes ORDER BY post_id, login');
          const rows = await tx.query('SELECT id::text, upvotes, downvotes, score, version, hot FROM posts ORDER BY id');
          seen = { answers, votes, rows };
          throw rollback;
        })
        .catch((error: unknown) => {
          if (error !== rollback) throw error;
        });
      return seen;
    };
    // mulberry32, seeded: the same ballots on every run.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
    };
    const seen = { posts: 0, gone: 0, hiddenOrMissing: 0, repeated: 0, logged: 0 };
    for (let round = 0; round < 18; round++) {
      // Repeated voters on one post, retractions, a hidden and a missing post, an account that does not exist;
      // sorted by post as the batcher sends them, and unsorted in every other round.
      const ballots = Array.from({ length: 1 + random(37) }, () => ({
        post: [...posts, missing][random(5)]!,
        login: [...voters, 'ghost'][random(6)]!,
        value: random(3) - 1,
      }));
      if (round % 2 === 0) ballots.sort((a, b) => (a.post < b.post ? -1 : a.post > b.post ? 1 : 0));
      let logged: unknown[] = [];
      let log: unknown[] = [];
      const together = await trial(async (tx) => {
        const [mark] = await tx.query<{ seq: number }>('SELECT coalesce(max(seq), 0)::integer AS seq FROM changes');
        // Vote by vote whatever the length, set-wise from one vote, or as a node of the version before calls it
        // (three arguments: set-wise from 5), in turn.
        const rows =
          round % 3 === 2
            ? await tx.query<{ n: number; doc: StoredPost | null; account_gone: boolean }>(
                'SELECT n, doc, account_gone FROM cast_votes($1::uuid[], $2::text[], $3::smallint[]) ORDER BY n',
                [ballots.map((b) => b.post), ballots.map((b) => b.login), ballots.map((b) => b.value)],
              )
            : await tx.query<{ n: number; doc: StoredPost | null; account_gone: boolean }>(
                'SELECT n, doc, account_gone FROM cast_votes($1::uuid[], $2::text[], $3::smallint[], $4::integer) ORDER BY n',
                [ballots.map((b) => b.post), ballots.map((b) => b.login), ballots.map((b) => b.value), round % 3 === 0 ? 1_000 : 1],
              );
        // Row 0 names the changes the batch logged, with each post's counters before it (migration 14).
        logged = (rows.find((row) => row.n === 0)?.doc as { r?: unknown[] } | undefined)?.r ?? [];
        const changes = await tx.query<{ seq: number; old_val: StoredPost; new_val: StoredPost }>(
          'SELECT seq::integer AS seq, old_val, new_val FROM changes WHERE seq > $1 ORDER BY seq',
          [mark!.seq],
        );
        log = changes.map(({ seq, old_val: old, new_val: next }) => [seq, old.id, old.upvotes, old.downvotes, old.version, next.version]);
        // Each change's new document is the answer of the vote that made it.
        const answered = rows.filter((row) => row.n > 0);
        for (const change of changes) expect(answered.map((row) => row.doc)).toContainEqual(change.new_val);
        return answered.map((row) => [row.doc, row.account_gone]);
      });
      expect(logged).toEqual(log);
      seen.logged += log.length;
      const oneByOne = await trial(async (tx) => {
        const answers = [];
        for (const b of ballots) {
          const [row] = await tx.query<{ doc: StoredPost | null; account_gone: boolean }>(
            'SELECT doc, account_gone FROM cast_vote($1::uuid, $2::text, $3::smallint)',
            [b.post, b.login, b.value],
          );
          answers.push([row!.doc, row!.account_gone]);
        }
        return answers;
      });
      expect(together).toEqual(oneByOne);
      const { answers } = together as { answers: [StoredPost | null, boolean][] };
      expect(answers).toHaveLength(ballots.length);
      seen.posts += answers.filter(([doc]) => doc !== null).length;
      seen.gone += answers.filter(([, gone]) => gone).length;
      seen.hiddenOrMissing += ballots.filter((b, i) => (b.post === hidden || b.post === missing) && !answers[i]![1]).length;
      seen.repeated += ballots.filter((b, i) => ballots.findIndex((c) => c.post === b.post && c.login === b.login) < i).length;
    }
    // Every kind of ballot was cast, more than once.
    expect(Math.min(...Object.values(seen))).toBeGreaterThan(3);
    await store.close();
  });

  test("a batch's votes on one post reach the feed as one change with the final counts, in commit order", async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS, ...logins('voter', 10));
    const feed = readFeed(store, 'posts');
    const { value: first } = await store.createPost({ title: 'before', url: null, text: null, author: 'ana' });
    const [a, b] = [await aPost(store), await aPost(store)];
    await feed.take(3);
    // Cast in one event-loop turn, the votes go as one batch: 10 on one post, 3 on the other, 1 no-op on `first`.
    const votes = [
      ...logins('voter', 10).map((login, i) => store.setVote(a.id, login, i < 7 ? 1 : -1)),
      ...['ana', 'bob', 'cid'].map((login) => store.setVote(b.id, login, 1)),
      store.setVote(first.id, 'bob', 0),
    ];
    const answers = await Promise.all(votes);
    const { value: after } = await store.createPost({ title: 'after', url: null, text: null, author: 'ana' });
    const changes = (await feed.take(3)) as Change<StoredPost>[];
    const finalA = { ...a, upvotes: 7, downvotes: 3, score: 4, version: 11 };
    const finalB = { ...b, upvotes: 3, downvotes: 0, score: 3, version: 4 };
    const folded = [
      { old_val: a, new_val: await store.getPost(a.id) },
      { old_val: b, new_val: await store.getPost(b.id) },
    ].sort((x, y) => (x.old_val.id < y.old_val.id ? -1 : 1));
    // Nothing for the vote that changed nothing; the batch's changes (in post id order) before the later post.
    expect(changes).toEqual([...folded, { old_val: null, new_val: after }]);
    expect(folded.map((change) => change.new_val)).toEqual(
      expect.arrayContaining([expect.objectContaining(finalA), expect.objectContaining(finalB)]),
    );
    // Each voter was still answered with the state its own vote made.
    expect(
      answers
        .slice(0, 10)
        .map((post) => post!.version)
        .sort((x, y) => x - y),
    ).toEqual(Array.from({ length: 10 }, (_, i) => i + 2));
    expect(answers.at(-1)).toEqual(first);
    await feed.stop();
  });
});
