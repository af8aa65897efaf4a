import { describe, expect, test } from '@jest/globals';
import type { BackupRecord, Store, StoredComment, StoredPost } from '../../src/store/store.js';
import { StoreError } from '../../src/store/store-error.js';
import { createUsers, logins, STORE_KINDS, storeFixture } from '../support/store-adapters.js';

const USERS = ['ana', 'bob', 'cid'];
const PAGE = 'https://blog.example.com/a';
// Two tokens of one account: the first was signed out, the other still works.
const SIGNED_OUT = '20000000-0000-4000-8000-000000000001';
const EXPIRED = '20000000-0000-4000-8000-000000000002';

async function exportAll(store: Store, onBatch?: () => Promise<void>): Promise<{ feedPosition: string; records: BackupRecord[] }> {
  const records: BackupRecord[] = [];
  let feedPosition = '';
  await store.exportRows({
    async begin(snapshot) {
      feedPosition = snapshot.feedPosition;
    },
    async rows(batch) {
      records.push(...batch);
      await onBatch?.();
    },
  });
  return { feedPosition, records };
}

async function* replay(records: BackupRecord[]): AsyncGenerator<BackupRecord> {
  yield* records;
}

/** A forum with replies three deep, votes both ways and a remembered Idempotency-Key. */
async function aForum(store: Store): Promise<{ posts: StoredPost[]; comments: StoredComment[] }> {
  await createUsers(store, ...USERS);
  const first = (await store.createPost({ title: 'First', url: 'https://example.com/', text: null, author: 'ana' })).value;
  const second = (
    await store.createPost({ title: 'Second', url: null, text: 'Body', author: 'bob' }, { owner: 'bob', key: 'k-1', requestHash: 'h-1' })
  ).value;
  // The post of a page's discussion: its page goes with it.
  const page = await store.ensurePagePost({ pageUrl: PAGE, title: 'A page', author: 'cid' });
  const top = (await store.createComment({ postId: first.id, parentId: null, author: 'bob', text: 'top' })).value;
  const reply = (await store.createComment({ postId: first.id, parentId: top.id, author: 'cid', text: 'reply' })).value;
  const deeper = (
    await store.createComment(
      { postId: first.id, parentId: reply.id, author: 'ana', text: 'deeper' },
      { owner: 'ana', key: 'c-1', requestHash: 'h-2' },
    )
  ).value;
  await store.setVote(first.id, 'bob', 1);
  await store.setVote(first.id, 'cid', -1);
  await store.setVote(second.id, 'ana', 1);
  // Sessions ended before the backup stay ended after a restore.
  await store.endSessions('ana');
  // So does a token signed out; one that has expired need not be kept.
  const bob = (await store.getUser('bob'))!;
  await store.revokeToken({ jti: SIGNED_OUT, accountId: bob.id, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
  await store.revokeToken({ jti: EXPIRED, accountId: bob.id, expiresAt: new Date(Date.now() - 1_000).toISOString() });
  const posts = await Promise.all([first.id, second.id, page.id].map(async (id) => (await store.getPost(id))!));
  return { posts, comments: [top, reply, deeper] };
}

describe.each(STORE_KINDS)('%s store: backups', (kind) => {
  const stores = storeFixture(kind);

  test('what one store exports another imports: accounts with their hashes, posts, threads, votes and keys', async () => {
    const source = await stores.fresh();
    const { posts, comments } = await aForum(source);
    await source.markNotificationsRead('bob', { all: true });
    const { feedPosition, records } = await exportAll(source);
    // `<epoch>:<seq>` of the change log; RethinkDB's feeds have no position, and its exports name their time.
    expect(feedPosition).toMatch(kind === 'rethinkdb' ? /^rethinkdb:\d+$/ : /^[0-9a-f-]{36}:\d+$/);
    // Every row after the rows it refers to.
    expect(records.map((record) => record.table)).toEqual([
      ...Array(3).fill('users'),
      ...Array(3).fill('posts'),
      ...Array(3).fill('comments'),
      ...Array(3).fill('votes'),
      ...Array(2).fill('idempotencyKeys'),
      ...Array(3).fill('notifications'),
      'revokedTokens',
    ]);
    expect(records.filter((r) => r.table === 'comments').map((r) => r.row.id)).toEqual(comments.map((c) => c.id));

    const target = await stores.fresh();
    const counts = await target.importRows(replay(records));
    expect(counts).toEqual({
      users: 3,
      posts: 3,
      comments: 3,
      votes: 3,
      idempotencyKeys: 2,
      notifications: 3,
      flags: 0,
      moderationLog: 0,
      revokedTokens: 1,
    });
    // Each reply notified the author of what it answers; read or not, they come back as they were.
    for (const login of USERS) {
      const page = { limit: 10, unreadOnly: false };
      const notified = await target.listNotifications(login, page);
      expect(notified).toEqual(await source.listNotifications(login, page));
      expect(notified).toMatchObject({ items: [{ recipient: login }], unread: login === 'bob' ? 0 : 1 });
    }
    expect((await target.listUsers({ limit: 10 })).items).toEqual((await source.listUsers({ limit: 10 })).items);
    for (const post of posts) expect(await target.getPost(post.id)).toEqual(post);
    expect(await target.getPagePost(PAGE)).toEqual(posts[2]);
    expect((await target.listComments(posts[0]!.id, { limit: 10 })).items).toEqual(comments);
    expect(await target.getVotes('cid', [posts[0]!.id])).toEqual(new Map([[posts[0]!.id, -1]]));
    // The key still replays what it created.
    const again = await target.createPost(
      { title: 'Second', url: null, text: 'Body', author: 'bob' },
      { owner: 'bob', key: 'k-1', requestHash: 'h-1' },
    );
    expect(again).toEqual({ value: posts[1], replayed: true });
    // Exporting the copy gives the same rows.
    expect((await exportAll(target)).records).toEqual(records);
  });

  test('moderation survives a restore: edits, hidden and locked items, flags, bans and the log', async () => {
    const source = await stores.fresh();
    const { posts, comments } = await aForum(source);
    const [first, second] = posts as [StoredPost, StoredPost];
    const audit = (action: 'hide' | 'lock' | 'ban', targetKind: 'post' | 'comment' | 'user', targetId: string) => ({
      actor: 'ana',
      action,
      targetKind,
      targetId,
      reason: `${action} it`,
    });
    await source.editPost(second.id, { title: 'Second, edited' }, { editor: 'bob', windowSeconds: 900 });
    await source.flag({ kind: 'post', postId: first.id }, 'cid', 'spam', 3);
    // One flag is the threshold here: flags hide the first comment, a moderator the second.
    await source.flag({ kind: 'comment', postId: first.id, id: comments[0]!.id }, 'ana', 'abuse', 1);
    await source.setHidden({ kind: 'comment', postId: first.id, id: comments[1]!.id }, true, audit('hide', 'comment', comments[1]!.id));
    expect((await source.listComments(first.id, { limit: 10 })).items.map((c) => c.hiddenBy)).toEqual(['flags', 'moderator']);
    await source.setLocked(first.id, true, audit('lock', 'post', first.id));
    await source.setBan('cid', { until: null, reason: 'spam' }, { ...audit('ban', 'user', 'cid'), detail: { until: null } });
    const { records } = await exportAll(source);
    const target = await stores.fresh();
    const counts = await target.importRows(replay(records));
    expect(counts).toMatchObject({ flags: 2, moderationLog: 3 });
    for (const id of [first.id, second.id]) expect(await target.getPost(id)).toEqual(await source.getPost(id));
    expect((await target.listComments(first.id, { limit: 10 })).items).toEqual((await source.listComments(first.id, { limit: 10 })).items);
    expect((await target.getUser('cid'))?.ban).toEqual({ until: null, reason: 'spam' });
    expect((await target.listModerationLog({ limit: 10 })).items).toEqual((await source.listModerationLog({ limit: 10 })).items);
    // A flag restored still counts once: the same reader flagging again changes nothing.
    expect(await target.flag({ kind: 'post', postId: first.id }, 'cid', 'spam', 3)).toBeUndefined();
    expect((await exportAll(target)).records).toEqual(records);
  });

  test('a token signed out before the backup stays revoked after a restore; a backup without revoked tokens still restores', async () => {
    const source = await stores.fresh();
    await aForum(source);
    const bob = (await source.getUser('bob'))!;
    const { records } = await exportAll(source);
    expect(records.filter((record) => record.table === 'revokedTokens').map((record) => record.row)).toEqual([
      { jti: SIGNED_OUT, accountId: bob.id, expiresAt: expect.any(String) },
    ]);
    const target = await stores.fresh();
    await target.importRows(replay(records));
    expect(await target.listRevokedTokens()).toEqual(await source.listRevokedTokens());
    expect((await target.listRevokedTokens()).map((token) => token.jti)).toEqual([SIGNED_OUT]);
    // Only that token: the account's session version, which its other tokens carry, is what it was.
    expect((await target.getUser('bob'))?.sessionVersion).toBe(bob.sessionVersion);

    // A backup written before revoked tokens were backed up holds none of them.
    const older = await stores.fresh();
    const counts = await older.importRows(replay(records.filter((record) => record.table !== 'revokedTokens')));
    expect(counts).toMatchObject({ users: 3, posts: 3, revokedTokens: 0 });
    expect(await older.listRevokedTokens()).toEqual([]);
    expect(await older.getUser('bob')).toEqual(await source.getUser('bob'));
  });

  test('a database that holds anything is refused and left as it was', async () => {
    const source = await stores.fresh();
    await aForum(source);
    const { records } = await exportAll(source);
    const target = await stores.fresh();
    await createUsers(target, 'zed');
    const refused = await target.importRows(replay(records)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StoreError);
    expect(refused).toMatchObject({ kind: 'conflict' });
    expect((await target.listUsers({ limit: 10 })).items.map((user) => user.login)).toEqual(['zed']);
  });

  test('rows that do not fit roll the whole import back', async () => {
    const source = await stores.fresh();
    await aForum(source);
    const { records } = await exportAll(source);
    // A reply whose parent is not in the backup.
    const orphaned = records.filter((record) => !(record.table === 'comments' && record.row.parentId === null));
    const target = await stores.fresh();
    await expect(target.importRows(replay(orphaned))).rejects.toMatchObject({ kind: 'invalid' });
    expect((await target.listUsers({ limit: 10 })).items).toEqual([]);
    // A vote by an account, or on a post, that the backup does not hold.
    const vote = records.findIndex((record) => record.table === 'votes');
    expect(vote).toBeGreaterThan(-1);
    for (const stray of [{ login: 'nobody' }, { postId: '10000000-0000-4000-8000-00000000000f' }]) {
      const tampered = records.map((record, i) =>
        i === vote ? ({ ...record, row: { ...record.row, ...stray } } as BackupRecord) : record,
      );
      await expect(target.importRows(replay(tampered))).rejects.toMatchObject({
        kind: 'invalid',
        detail: expect.stringMatching(/^The votes rows do not fit/),
      });
      expect((await target.listUsers({ limit: 10 })).items).toEqual([]);
    }
    // A source that fails half-way (a file cut short) leaves nothing either.
    async function* broken(): AsyncGenerator<BackupRecord> {
      yield* records.slice(0, 4);
      throw new StoreError('invalid', 'cut short');
    }
    await expect(target.importRows(broken())).rejects.toMatchObject({ kind: 'invalid', detail: 'cut short' });
    expect((await target.listUsers({ limit: 10 })).items).toEqual([]);
  });

  test('counters are recounted from the votes and comments restored', async () => {
    const source = await stores.fresh();
    const { posts } = await aForum(source);
    const { records } = await exportAll(source);
    const tampered = records.map((record) =>
      record.table === 'posts' ? { ...record, row: { ...record.row, upvotes: 40, downvotes: 7, commentCount: 0 } } : record,
    );
    const target = await stores.fresh();
    await target.importRows(replay(tampered));
    const first = (await target.getPost(posts[0]!.id))!;
    expect(first).toMatchObject({ upvotes: 1, downvotes: 1, score: 0, commentCount: 3 });
    expect(first.version).toBeGreaterThan(posts[0]!.version);
  });

  test('the export is one snapshot: counters match the votes exported while votes go on', async () => {
    const source = await stores.fresh();
    const voters = logins('voter', 560);
    await createUsers(source, 'ana', ...voters);
    const post = (await source.createPost({ title: 'Busy', url: null, text: null, author: 'ana' })).value;
    await Promise.all(voters.slice(0, 520).map((login) => source.setVote(post.id, login, 1)));
    // Votes keep landing while the export is between its batches.
    let voting = true;
    const votes = (async () => {
      for (let i = 0; voting; i++) await source.setVote(post.id, voters[520 + (i % 40)]!, i % 3 === 0 ? -1 : 1);
    })();
    const { records } = await exportAll(source, () => new Promise((resolve) => setTimeout(resolve, 50)));
    voting = false;
    await votes;
    const exported = records.find((record) => record.table === 'posts')!.row as StoredPost;
    const rows = records.filter((record) => record.table === 'votes').map((record) => record.row as { value: number });
    expect(rows.length).toBeGreaterThanOrEqual(520);
    expect(exported.upvotes).toBe(rows.filter((row) => row.value === 1).length);
    expect(exported.downvotes).toBe(rows.filter((row) => row.value === -1).length);
  });
});
