import { describe, expect, test } from '@jest/globals';
import { hotRank, type PostSort } from '@news-forum/protocol';
import type { NewPostRecord, Store, StoredPost } from '../../src/store/store.js';
import { createUsers, logins, STORE_KINDS, storeFixture } from '../support/store-adapters.js';

/** The accounts every test's posts, comments and votes are by. */
const USERS = ['ana', 'bob', 'cid', ...logins('user', 3), ...logins('voter', 3)];

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function newPost(title: string, overrides: Partial<NewPostRecord> = {}): NewPostRecord {
  return { title, url: null, text: null, author: 'ana', ...overrides };
}

async function listAll(store: Store, sort: PostSort, limit: number): Promise<StoredPost[]> {
  const all: StoredPost[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listPosts(sort, { limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  } while (cursor);
  return all;
}

/** The orders the API promises, computed independently of the store. */
const EXPECTED_ORDER: Record<PostSort, (a: StoredPost, b: StoredPost) => number> = {
  hot: (a, b) => hotRank(b) - hotRank(a) || b.id.localeCompare(a.id),
  new: (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
  top: (a, b) => b.score - a.score || b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
};

describe.each(STORE_KINDS)('%s store: posts', (kind) => {
  const stores = storeFixture(kind);

  test('creates a post in the API shape and reads it back', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const { value: post, replayed } = await store.createPost(newPost('Hello', { url: 'https://example.com/a', text: 'Body' }));
    expect(replayed).toBe(false);
    expect(post).toEqual({
      id: expect.stringMatching(UUID),
      title: 'Hello',
      url: 'https://example.com/a',
      text: 'Body',
      author: 'ana',
      createdAt: expect.stringMatching(ISO_MS),
      upvotes: 0,
      downvotes: 0,
      score: 0,
      commentCount: 0,
      version: 1,
    });
    expect(Object.keys(post).sort()).toEqual([
      'author',
      'commentCount',
      'createdAt',
      'downvotes',
      'id',
      'score',
      'text',
      'title',
      'upvotes',
      'url',
      'version',
    ]);
    expect(await store.getPost(post.id)).toEqual(post);
  });

  test('the dates of the newest visible posts, for a sitemap: ids and dates alone, newest first, edits dated', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const posts: StoredPost[] = [];
    for (const title of ['one', 'two', 'three', 'four'])
      posts.push((await store.createPost(newPost(title, { text: 'long '.repeat(1000) }))).value);
    const [one, two, three, four] = posts as [StoredPost, StoredPost, StoredPost, StoredPost];
    const edited = await store.editPost(two.id, { title: 'two, again' }, { editor: 'ana', windowSeconds: null });
    await store.setHidden({ kind: 'post', postId: three.id }, true, {
      actor: 'ana',
      action: 'hide',
      targetKind: 'post',
      targetId: three.id,
      reason: null,
    });
    const dates = await store.listPostDates(10);
    const expected = [four, edited, one].sort(EXPECTED_ORDER.new).map((post) => ({
      id: post.id,
      createdAt: post.createdAt,
      ...(post.editedAt && { editedAt: post.editedAt }),
    }));
    expect(dates).toEqual(expected);
    expect(dates.find((entry) => entry.id === two.id)?.editedAt).toMatch(ISO_MS);
    expect(await store.listPostDates(2)).toEqual(expected.slice(0, 2));
  });

  test('a missing or malformed id reads as absent', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    expect(await store.getPost('0b6f3a52-9c1e-4a8e-b1b4-6f1d2c3e4a5b')).toBeNull();
    expect(await store.getPost('not-a-uuid')).toBeNull();
    expect(await store.deletePost('not-a-uuid')).toBe(false);
  });

  test('keeps a 40,000-character text intact', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const text = 'ü€𝄞 long text. '.repeat(2_500).slice(0, 40_000);
    const { value } = await store.createPost(newPost('Long', { text }));
    expect((await store.getPost(value.id))?.text).toBe(text);
  });

  test.each(['hot', 'new', 'top'] as const)('lists by %s, each post exactly once across pages, in the promised order', async (sort) => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const posts: StoredPost[] = [];
    for (let i = 0; i < 13; i++) posts.push((await store.createPost(newPost(`Post ${i}`, { author: `user${i % 3}` }))).value);
    // Scores from -2 to 3, with ties, so every tiebreak is exercised.
    const scores = [3, 1, 0, -1, 2, 0, 1, -2, 3, 0, 1, 2, -1];
    for (const [i, post] of posts.entries()) {
      const score = scores[i]!;
      for (let v = 0; v < Math.abs(score); v++) await store.setVote(post.id, `voter${v}`, score > 0 ? 1 : -1);
    }
    const current = await Promise.all(posts.map(async (post) => (await store.getPost(post.id))!));
    const expected = [...current].sort(EXPECTED_ORDER[sort]);
    for (const limit of [1, 4, 13, 100]) {
      const listed = await listAll(store, sort, limit);
      expect(listed.map((post) => post.id)).toEqual(expected.map((post) => post.id));
      expect(listed).toEqual(expected);
    }
  });

  test('a cursor stays valid while posts are added before it', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    for (let i = 0; i < 6; i++) await store.createPost(newPost(`Old ${i}`));
    const first = await store.listPosts('new', { limit: 3 });
    await store.createPost(newPost('Newer than every cursor'));
    const second = await store.listPosts('new', { limit: 3, cursor: first.nextCursor! });
    const ids = [...first.items, ...second.items].map((post) => post.id);
    expect(new Set(ids).size).toBe(6);
    expect(second.nextCursor).toBeNull();
  });

  test('a cursor of another ordering or a malformed one is a bad request', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    for (let i = 0; i < 3; i++) await store.createPost(newPost(`Post ${i}`));
    const hot = (await store.listPosts('hot', { limit: 1 })).nextCursor!;
    await expect(store.listPosts('new', { limit: 1, cursor: hot })).rejects.toMatchObject({ kind: 'invalid' });
    await expect(store.listPosts('top', { limit: 1, cursor: hot })).rejects.toMatchObject({ kind: 'invalid' });
    const forged = Buffer.from(JSON.stringify(['new', 'yesterday', 'x'])).toString('base64url');
    for (const cursor of [forged, 'a+b/', '', 'W10']) {
      await expect(store.listPosts('new', { limit: 1, cursor })).rejects.toMatchObject({ kind: 'invalid', detail: 'Invalid cursor' });
    }
  });

  test('deleting a post removes its comments and votes', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const { value: post } = await store.createPost(newPost('Doomed'));
    const { value: other } = await store.createPost(newPost('Survivor'));
    const { value: comment } = await store.createComment({ postId: post.id, parentId: null, author: 'bob', text: 'hi' });
    await store.createComment({ postId: post.id, parentId: comment.id, author: 'cid', text: 'reply' });
    await store.createComment({ postId: other.id, parentId: null, author: 'bob', text: 'stays' });
    await store.setVote(post.id, 'bob', 1);
    await store.setVote(other.id, 'bob', 1);

    expect(await store.deletePost(post.id)).toBe(true);
    expect(await store.getPost(post.id)).toBeNull();
    expect(await store.getComment(post.id, comment.id)).toBeNull();
    expect((await store.listComments(post.id, { limit: 10 })).items).toEqual([]);
    expect(await store.getVotes('bob', [post.id, other.id])).toEqual(new Map([[other.id, 1]]));
    expect((await store.listComments(other.id, { limit: 10 })).items).toHaveLength(1);
    expect(await store.deletePost(post.id)).toBe(false);
    expect((await store.listPosts('new', { limit: 10 })).items.map((p) => p.id)).toEqual([other.id]);
  });

  test('deleting an account removes its posts, comments and votes and fixes the counters of the rest', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const { value: own } = await store.createPost(newPost('By ana'));
    const { value: other } = await store.createPost(newPost('By bob', { author: 'bob' }));
    await store.setVote(other.id, 'ana', 1);
    await store.setVote(other.id, 'cid', -1);
    const { value: anaComment } = await store.createComment({ postId: other.id, parentId: null, author: 'ana', text: 'mine' });
    await store.createComment({ postId: other.id, parentId: anaComment.id, author: 'bob', text: 'reply to ana' });
    await store.createComment({ postId: other.id, parentId: null, author: 'bob', text: 'stays' });
    await store.createComment({ postId: own.id, parentId: null, author: 'bob', text: 'goes with the post' });
    const before = (await store.getPost(other.id))!;
    expect(before).toMatchObject({ upvotes: 1, downvotes: 1, commentCount: 3 });

    expect(await store.deleteUser('ana')).toBe(true);
    expect(await store.getUser('ana')).toBeNull();
    expect(await store.getPost(own.id)).toBeNull();
    const after = (await store.getPost(other.id))!;
    expect(after).toMatchObject({ upvotes: 0, downvotes: 1, score: -1, commentCount: 1 });
    expect(after.version).toBeGreaterThan(before.version);
    expect((await store.listComments(other.id, { limit: 10 })).items.map((c) => c.text)).toEqual(['stays']);
    expect(await store.getVotes('ana', [other.id])).toEqual(new Map());
    // The rank follows the new counters.
    const [listed] = (await store.listPosts('hot', { limit: 1 })).items;
    expect(listed).toEqual(after);
  });
});
