import { describe, expect, test } from '@jest/globals';
import type { Store, StoredComment, StoredPost } from '../../src/store/store.js';
import { createUsers, STORE_KINDS, storeFixture } from '../support/store-adapters.js';

/** The accounts every test's posts, comments and votes are by. */
const USERS = ['ana', 'bob'];

const MISSING = '0b6f3a52-9c1e-4a8e-b1b4-6f1d2c3e4a5b';

async function aPost(store: Store, title = 'Discuss'): Promise<StoredPost> {
  return (await store.createPost({ title, url: null, text: null, author: 'ana' })).value;
}

async function comment(store: Store, postId: string, text: string, parentId: string | null = null): Promise<StoredComment> {
  return (await store.createComment({ postId, parentId, author: 'bob', text })).value;
}

async function allComments(store: Store, postId: string, limit: number): Promise<StoredComment[]> {
  const all: StoredComment[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listComments(postId, { limit, cursor });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

describe.each(STORE_KINDS)('%s store: comments', (kind) => {
  const stores = storeFixture(kind);

  test('creates a comment in the API shape and bumps the post', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const post = await aPost(store);
    const { value, replayed } = await store.createComment({ postId: post.id, parentId: null, author: 'bob', text: 'First!' });
    expect(replayed).toBe(false);
    expect(value).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      postId: post.id,
      parentId: null,
      author: 'bob',
      text: 'First!',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      version: 1,
    });
    expect(await store.getComment(post.id, value.id)).toEqual(value);
    expect(await store.getPost(post.id)).toMatchObject({ commentCount: 1, version: 2 });
  });

  test("threads replies and lists a post's comments oldest first across pages", async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const post = await aPost(store);
    const other = await aPost(store, 'Elsewhere');
    const root = await comment(store, post.id, 'root');
    const created = [root];
    for (let i = 0; i < 11; i++) {
      created.push(await comment(store, post.id, `reply ${i}`, created[Math.floor(i / 2)]!.id));
      await comment(store, other.id, `noise ${i}`);
    }
    expect(created.slice(1).every((c) => c.parentId !== null)).toBe(true);
    const expected = [...created].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    for (const limit of [1, 5, 12, 50]) expect(await allComments(store, post.id, limit)).toEqual(expected);
    expect(await store.getPost(post.id)).toMatchObject({ commentCount: 12, version: 13 });
    // A comment is found only under its own post.
    expect(await store.getComment(other.id, root.id)).toBeNull();
  });

  test('a comment on a missing post, or replying to a comment of another post, is not found', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const post = await aPost(store);
    const other = await aPost(store, 'Elsewhere');
    const foreign = await comment(store, other.id, 'over there');
    const attempts = [
      { postId: MISSING, parentId: null },
      { postId: 'not-a-uuid', parentId: null },
      { postId: post.id, parentId: MISSING },
      { postId: post.id, parentId: foreign.id },
      { postId: post.id, parentId: 'nope' },
    ];
    for (const attempt of attempts) {
      await expect(store.createComment({ ...attempt, author: 'bob', text: 'x' })).rejects.toMatchObject({ kind: 'not-found' });
    }
    expect(await store.getPost(post.id)).toMatchObject({ commentCount: 0, version: 1 });
    expect(await allComments(store, post.id, 10)).toEqual([]);
  });

  test('deleting a comment deletes its replies and lowers the count by all of them', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const post = await aPost(store);
    const keep = await comment(store, post.id, 'keep');
    const doomed = await comment(store, post.id, 'doomed');
    const child = await comment(store, post.id, 'child', doomed.id);
    await comment(store, post.id, 'grandchild', child.id);
    await comment(store, post.id, 'sibling of child', doomed.id);
    await comment(store, post.id, 'reply to keep', keep.id);
    const before = (await store.getPost(post.id))!;
    expect(before.commentCount).toBe(6);

    expect(await store.deleteComment(post.id, doomed.id)).toBe(true);
    const after = (await store.getPost(post.id))!;
    expect(after.commentCount).toBe(2);
    expect(after.version).toBe(before.version + 1);
    expect((await allComments(store, post.id, 10)).map((c) => c.text)).toEqual(['keep', 'reply to keep']);
    expect(await store.deleteComment(post.id, doomed.id)).toBe(false);
    expect(await store.deleteComment(MISSING, keep.id)).toBe(false);
    expect(await store.deleteComment(post.id, 'nope')).toBe(false);
  });

  test('concurrent comments on one post are all counted', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const post = await aPost(store);
    await Promise.all(Array.from({ length: 40 }, (_, i) => comment(store, post.id, `c${i}`)));
    expect(await store.getPost(post.id)).toMatchObject({ commentCount: 40, version: 41 });
  });

  test('a malformed comment cursor is a bad request', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const post = await aPost(store);
    const users = Buffer.from(JSON.stringify(['users', 'ana'])).toString('base64url');
    for (const cursor of [users, 'x.y', Buffer.from('["comments","2020-01-01","x"]').toString('base64url')]) {
      await expect(store.listComments(post.id, { limit: 5, cursor })).rejects.toMatchObject({ kind: 'invalid' });
    }
  });
});
