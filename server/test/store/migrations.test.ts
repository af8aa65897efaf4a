import { createHash } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { hotRank } from '@news-forum/protocol';
import pg from 'pg';
import { MIGRATIONS, migrate } from '../../src/store/sql/migrations.js';
import { SqlStore } from '../../src/store/sql/sql-store.js';
import { createUsers, SQL_STORE_KINDS, storeFixture } from '../support/store-adapters.js';

// Posts
const KEPT = '10000000-0000-4000-8000-000000000001';
const STRAY = '10000000-0000-4000-8000-000000000002';
const UNTOUCHED = '10000000-0000-4000-8000-000000000003';
// Comments
const ANAS = '20000000-0000-4000-8000-000000000001';
const GHOSTS = '20000000-0000-4000-8000-000000000002';
const REPLY_TO_GHOST = '20000000-0000-4000-8000-000000000003';
const ON_STRAY = '20000000-0000-4000-8000-000000000004';

/**
 * A database at migration 1 as a write racing deleteUser could leave it:
 * rows by `ghost` and `phantom`, who have no account, with the counters
 * (exact before the strays' removal) counting them.
 */
const STRAYS = /* sql */ `
INSERT INTO users (login, display_name, password_hash) VALUES ('ana', 'Ana', 'h'), ('bob', 'Bob', 'h');
INSERT INTO posts (id, title, author, created_at, upvotes, downvotes, comment_count, version, hot) VALUES
  ('${KEPT}', 'kept', 'ana', '2024-05-01T12:00:00.000Z', 2, 2, 3, 9, 0),
  ('${STRAY}', 'stray', 'ghost', '2024-05-01T12:01:00.000Z', 1, 0, 1, 3, 0),
  ('${UNTOUCHED}', 'untouched', 'bob', '2024-05-01T12:02:00.000Z', 1, 0, 0, 2, 0);
INSERT INTO votes (post_id, login, value) VALUES
  ('${KEPT}', 'ana', 1), ('${KEPT}', 'bob', -1), ('${KEPT}', 'ghost', 1), ('${KEPT}', 'phantom', -1),
  ('${STRAY}', 'ana', 1),
  ('${UNTOUCHED}', 'ana', 1);
INSERT INTO comments (id, post_id, parent_id, author, text, created_at) VALUES
  ('${ANAS}', '${KEPT}', NULL, 'ana', 'kept', '2024-05-01T13:00:00.000Z'),
  ('${GHOSTS}', '${KEPT}', NULL, 'ghost', 'stray', '2024-05-01T13:01:00.000Z'),
  ('${REPLY_TO_GHOST}', '${KEPT}', '${GHOSTS}', 'bob', 'goes with its parent', '2024-05-01T13:02:00.000Z'),
  ('${ON_STRAY}', '${STRAY}', NULL, 'ana', 'goes with its post', '2024-05-01T13:03:00.000Z');
`;

/**
 * The first 16 hex digits of each migration's SHA-256. A database that applied a migration never runs it again, so
 * its text stays as released (migrations 13 and 14 share cast_votes' text through one template): a new migration
 * adds its digest here, and no other line changes.
 */
const RELEASED: Record<number, string> = {
  1: '2fd643cde4fd340d',
  2: 'dbcbb6c5812c96b2',
  3: '3bfdf9b89978b543',
  4: '1adce1156467da32',
  5: '56f3ab486ac4e574',
  6: 'bb12d80e9f383ef1',
  7: 'aeae5e17cdc876ae',
  8: 'ee5daa20e85bcfd4',
  9: '5f18e03e87a5f07e',
  10: '795cdc5f4e4880a9',
  11: '6375d58e7f8e6b26',
  12: 'b403a7cfc3eef802',
  13: '0cab69a55ed9f5b0',
  14: '6a6292af07d01f68',
  15: '256d8846187fbdf9',
  16: 'b51ed00bc6e3b9d5',
};

test('every released migration keeps the text it was released with', () => {
  const digests = MIGRATIONS.map((migration) => [migration.version, createHash('sha256').update(migration.sql).digest('hex').slice(0, 16)]);
  expect(Object.fromEntries(digests)).toEqual(RELEASED);
});

describe.each(SQL_STORE_KINDS)('%s store: migrations', (kind) => {
  const stores = storeFixture(kind);

  test('migration 2 removes the rows of missing accounts, recounts what they touched and adds the keys', async () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(versions).size).toBe(versions.length);
    const driver = await stores.blank();
    await migrate(driver, 1);
    await driver.exec(STRAYS);
    const [logged] = await driver.query<{ seq: string }>('SELECT coalesce(max(seq), 0)::text AS seq FROM changes');

    // Opening the store migrates, as a node starting on the new version does.
    const store = await SqlStore.open(kind, driver);
    expect(await driver.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual(
      [...versions].sort((a, b) => a - b).map((version) => ({ version })),
    );

    const [strays] = await driver.query(
      `SELECT (SELECT count(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.login = p.author))::integer AS posts,
              (SELECT count(*) FROM comments c WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.login = c.author))::integer AS comments,
              (SELECT count(*) FROM votes v WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.login = v.login))::integer AS votes`,
    );
    expect(strays).toEqual({ posts: 0, comments: 0, votes: 0 });

    expect(await store.getPost(STRAY)).toBeNull();
    const kept = (await store.getPost(KEPT))!;
    // One vote of each direction and two comments were strays; the version moves once.
    expect(kept).toMatchObject({ upvotes: 1, downvotes: 1, score: 0, commentCount: 1, version: 10 });
    const [{ hot }] = (await driver.query<{ hot: number }>('SELECT hot FROM posts WHERE id = $1', [KEPT])) as [{ hot: number }];
    expect(hot).toBe(hotRank(kept));
    expect(await store.getPost(UNTOUCHED)).toMatchObject({ upvotes: 1, downvotes: 0, commentCount: 0, version: 2 });
    expect((await store.listComments(KEPT, { limit: 10 })).items.map((c) => c.id)).toEqual([ANAS]);
    expect(await store.getVotes('ana', [KEPT, STRAY, UNTOUCHED])).toEqual(
      new Map([
        [KEPT, 1],
        [UNTOUCHED, 1],
      ]),
    );
    expect(await store.getVotes('ghost', [KEPT])).toEqual(new Map());

    // Every removed row and the recount reached the change log.
    const changes = await driver.query<{ tbl: string; id: string; removed: boolean }>(
      `SELECT tbl, coalesce(old_val, new_val)->>'id' AS id, new_val IS NULL AS removed FROM changes WHERE seq > $1 ORDER BY seq`,
      [logged!.seq],
    );
    const sorted = (rows: typeof changes) => [...rows].sort((a, b) => `${a.tbl}${a.id}`.localeCompare(`${b.tbl}${b.id}`));
    expect(sorted(changes)).toEqual(
      sorted([
        { tbl: 'posts', id: STRAY, removed: true },
        { tbl: 'posts', id: KEPT, removed: false },
        { tbl: 'comments', id: GHOSTS, removed: true },
        { tbl: 'comments', id: REPLY_TO_GHOST, removed: true },
        { tbl: 'comments', id: ON_STRAY, removed: true },
      ]),
    );

    // From now on the keys keep such rows out (votes' own, until migration 15 left them to the vote functions).
    await expect(store.createPost({ title: 'again', url: null, text: null, author: 'ghost' })).rejects.toMatchObject({
      kind: 'account-gone',
    });
    await expect(store.setVote(KEPT, 'phantom', 1)).rejects.toMatchObject({ kind: 'account-gone' });
    await store.close();
  }, 60_000);

  test('migration 3 gives every existing account an id of its own, and new accounts one each', async () => {
    const driver = await stores.blank();
    await migrate(driver, 2);
    await driver.exec(`INSERT INTO users (login, display_name, password_hash) VALUES ('ana', 'Ana', 'h'), ('bob', 'Bob', 'h')`);
    const store = await SqlStore.open(kind, driver);
    const [ana, bob] = [await store.getUser('ana'), await store.getUser('bob')];
    const carol = await store.createUser({ login: 'carol', displayName: 'Carol', scopes: [], passwordHash: 'h' });
    const ids = [ana?.id, bob?.id, carol.id];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(3);
    expect(await store.getUser('ana')).toEqual(ana);
    await store.close();
  }, 60_000);

  test('a database without strays migrates without changes to its rows', async () => {
    const driver = await stores.blank();
    await migrate(driver, 1);
    await driver.exec(`
      INSERT INTO users (login, display_name, password_hash) VALUES ('bob', 'Bob', 'h');
      INSERT INTO posts (id, title, author, created_at, upvotes, version, hot) VALUES ('${UNTOUCHED}', 'fine', 'bob', now(), 1, 2, 0);
      INSERT INTO votes (post_id, login, value) VALUES ('${UNTOUCHED}', 'bob', 1);
    `);
    const [{ seq }] = (await driver.query<{ seq: string }>('SELECT max(seq)::text AS seq FROM changes')) as [{ seq: string }];
    await migrate(driver);
    await migrate(driver);
    expect(await driver.query('SELECT count(*)::integer AS n FROM changes WHERE seq > $1', [seq])).toEqual([{ n: 0 }]);
    expect(await driver.query('SELECT upvotes, version::integer AS version FROM posts')).toEqual([{ upvotes: 1, version: 2 }]);
  }, 60_000);

  test('migration 15: votes have no foreign keys, and go with their post or their account however these are deleted', async () => {
    const driver = await stores.blank();
    const store = await SqlStore.open(kind, driver);
    await createUsers(store, 'ana', 'bob', 'cid');
    const [kept, doomed] = await Promise.all(
      ['kept', 'doomed'].map(async (title) => (await store.createPost({ title, url: null, text: null, author: 'bob' })).value),
    );
    for (const login of ['ana', 'bob', 'cid']) for (const post of [kept!, doomed!]) await store.setVote(post.id, login, 1);
    expect(
      await driver.query(`SELECT count(*)::integer AS n FROM pg_constraint WHERE conrelid = 'votes'::regclass AND contype = 'f'`),
    ).toEqual([{ n: 0 }]);

    // Statements of the database's own, as a cascade would have been run by one: the post's votes, then ana's.
    await driver.query('DELETE FROM posts WHERE id = $1', [doomed!.id]);
    await driver.query(`DELETE FROM users WHERE login = 'ana'`);
    const votes = await driver.query<{ post_id: string; login: string }>('SELECT post_id::text, login FROM votes ORDER BY login');
    expect(votes).toEqual([
      { post_id: kept!.id, login: 'bob' },
      { post_id: kept!.id, login: 'cid' },
    ]);
    await store.close();
  }, 60_000);

  test('migration 16: what was hidden reads who hid it, from the flags and the log; each such item gets a new version', async () => {
    const driver = await stores.blank();
    await migrate(driver, 15);
    const post = (n: number) => `30000000-0000-4000-8000-00000000000${n}`;
    const [flagged, decided, banned, quiet, visible] = [post(1), post(2), post(3), post(4), post(5)];
    const [flaggedComment, decidedComment] = ['40000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000002'];
    await driver.exec(`
      INSERT INTO users (login, display_name, password_hash) VALUES ('ana', 'Ana', 'h'), ('bob', 'Bob', 'h');
      INSERT INTO posts (id, title, author, created_at, version, hot, hidden, flag_count) VALUES
        ('${flagged}', 'flags hid it', 'ana', now(), 4, 0, true, 3),
        ('${decided}', 'flagged, then a moderator hid it', 'ana', now(), 4, 0, true, 1),
        ('${banned}', 'flagged, its author banned with their content', 'bob', now(), 3, 0, true, 1),
        ('${quiet}', 'a moderator hid it, no flags', 'ana', now(), 2, 0, true, 0),
        ('${visible}', 'flagged, visible', 'ana', now(), 2, 0, false, 1);
      INSERT INTO comments (id, post_id, author, text, created_at, version, hidden, flag_count) VALUES
        ('${flaggedComment}', '${visible}', 'ana', 'flags hid it', now(), 4, true, 3),
        ('${decidedComment}', '${visible}', 'ana', 'a moderator hid it', now(), 2, true, 1);
      INSERT INTO moderation_log (actor, action, target_kind, target_id, detail) VALUES
        ('mia', 'hide', 'post', '${decided}', NULL),
        ('mia', 'hide', 'comment', '${decidedComment}', NULL),
        ('mia', 'ban', 'user', 'bob', '{"until": null, "hideContent": true, "posts": 1, "comments": 0}');
    `);
    const [{ seq }] = (await driver.query<{ seq: string }>('SELECT coalesce(max(seq), 0)::text AS seq FROM changes')) as [{ seq: string }];
    await migrate(driver);
    const docs = await driver.query<{ doc: { id: string; version: number; hidden?: true; hiddenBy?: string } }>(
      `SELECT post_json(p) AS doc FROM posts p UNION ALL SELECT comment_json(c) FROM comments c`,
    );
    const seen = Object.fromEntries(docs.map(({ doc }) => [doc.id, [doc.hiddenBy ?? null, doc.version]]));
    expect(seen).toEqual({
      [flagged]: ['flags', 5],
      [decided]: ['moderator', 5],
      [banned]: ['moderator', 4],
      [quiet]: ['moderator', 3],
      [visible]: [null, 2],
      [flaggedComment]: ['flags', 5],
      [decidedComment]: ['moderator', 3],
    });
    // Every node's feed takes the new field: one change for each item that was hidden.
    const changed = await driver.query<{ n: number }>('SELECT count(*)::integer AS n FROM changes WHERE seq > $1', [seq]);
    expect(changed).toEqual([{ n: 6 }]);
  }, 60_000);
});

describe('postgres store: migration 15', () => {
  const stores = storeFixture('postgres');

  test("deleting a post that waited on a vote's lock deletes that vote too", async () => {
    const { store, url } = await stores.open();
    await createUsers(store, 'ana', 'bob');
    const { value: post } = await store.createPost({ title: 'doomed', url: null, text: null, author: 'bob' });
    // A vote in progress, as the vote functions write one: the post locked, the vote written, not yet committed.
    const voter = new pg.Client({ connectionString: url! });
    await voter.connect();
    try {
      await voter.query('BEGIN');
      await voter.query('SELECT 1 FROM posts WHERE id = $1 FOR UPDATE', [post.id]);
      await voter.query(`INSERT INTO votes (post_id, login, value) VALUES ($1, 'ana', 1)`, [post.id]);
      const deletion = store.deletePost(post.id);
      // The deletion is waiting on the post's row lock.
      const waiting = async () =>
        (await voter.query(`SELECT count(*)::integer AS n FROM pg_locks WHERE NOT granted AND locktype IN ('transactionid', 'tuple')`))
          .rows[0].n > 0;
      while (!(await waiting())) await new Promise((resolve) => setTimeout(resolve, 10));
      await voter.query('COMMIT');
      expect(await deletion).toBe(true);
      expect((await voter.query('SELECT count(*)::integer AS n FROM votes')).rows).toEqual([{ n: 0 }]);
    } finally {
      await voter.end();
    }
  }, 60_000);
});
