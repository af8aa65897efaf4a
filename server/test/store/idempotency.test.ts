import { describe, expect, test } from '@jest/globals';
import type { IdempotencyKey, NewPostRecord } from '../../src/store/store.js';
import { createUsers, STORE_KINDS, storeFixture } from '../support/store-adapters.js';

/** The accounts every test's posts, comments and votes are by. */
const USERS = ['ana', 'bob'];

const POST: NewPostRecord = { title: 'Once', url: null, text: null, author: 'ana' };
const key = (requestHash: string, owner = 'ana', k = 'key-1'): IdempotencyKey => ({ owner, key: k, requestHash });

describe.each(STORE_KINDS)('%s store: idempotency', (kind) => {
  const stores = storeFixture(kind);

  test('a repeated post creation replays the first result', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const first = await store.createPost(POST, key('h1'));
    const again = await store.createPost(POST, key('h1'));
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ value: first.value, replayed: true });
    expect((await store.listPosts('new', { limit: 10 })).items).toHaveLength(1);
  });

  test('a replay returns the resource as it is now', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const first = await store.createPost(POST, key('h1'));
    await store.setVote(first.value.id, 'bob', 1);
    const again = await store.createPost(POST, key('h1'));
    expect(again.value).toMatchObject({ id: first.value.id, upvotes: 1, version: 2 });
  });

  test('keys belong to their owner', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const ana = await store.createPost(POST, key('h1', 'ana'));
    const bob = await store.createPost({ ...POST, author: 'bob' }, key('h1', 'bob'));
    expect(bob.replayed).toBe(false);
    expect(bob.value.id).not.toBe(ana.value.id);
  });

  test('a key reused with another request is a mismatch and creates nothing', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    await store.createPost(POST, key('h1'));
    await expect(store.createPost({ ...POST, title: 'Other' }, key('h2'))).rejects.toMatchObject({ kind: 'idempotency-mismatch' });
    expect((await store.listPosts('new', { limit: 10 })).items).toHaveLength(1);
  });

  test('comments replay too, and a replay of a deleted resource is not found', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const { value: post } = await store.createPost(POST);
    const comment = { postId: post.id, parentId: null, author: 'bob', text: 'hi' };
    const first = await store.createComment(comment, key('c1', 'bob'));
    expect(await store.createComment(comment, key('c1', 'bob'))).toEqual({ value: first.value, replayed: true, notification: null });
    expect(await store.getPost(post.id)).toMatchObject({ commentCount: 1 });
    await store.deleteComment(post.id, first.value.id);
    await expect(store.createComment(comment, key('c1', 'bob'))).rejects.toMatchObject({ kind: 'not-found' });
  });

  test('the keys of a deleted account do not outlive it', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const first = await store.createPost(POST, key('h1'));
    await store.deleteUser('ana');
    // A later account of the same login.
    await createUsers(store, 'ana');
    const again = await store.createPost(POST, key('h2'));
    expect(again.replayed).toBe(false);
    expect(again.value.id).not.toBe(first.value.id);
  });

  test('a failed creation does not use up its key', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const missing = { postId: '0b6f3a52-9c1e-4a8e-b1b4-6f1d2c3e4a5b', parentId: null, author: 'bob', text: 'hi' };
    await expect(store.createComment(missing, key('c1', 'bob'))).rejects.toMatchObject({ kind: 'not-found' });
    const { value: post } = await store.createPost(POST);
    const created = await store.createComment({ ...missing, postId: post.id }, key('c2', 'bob', 'key-1'));
    expect(created.replayed).toBe(false);
  });

  test('concurrent requests with one key create one resource', async () => {
    const store = await stores.fresh();
    await createUsers(store, ...USERS);
    const results = await Promise.all(Array.from({ length: 20 }, () => store.createPost(POST, key('h1'))));
    expect(new Set(results.map((result) => result.value.id)).size).toBe(1);
    expect(results.filter((result) => !result.replayed)).toHaveLength(1);
    expect((await store.listPosts('new', { limit: 50 })).items).toHaveLength(1);

    const { value: post } = await store.createPost(POST);
    const comments = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.createComment({ postId: post.id, parentId: null, author: 'bob', text: 'x' }, key('c', 'bob', 'k')),
      ),
    );
    expect(new Set(comments.map((result) => result.value.id)).size).toBe(1);
    expect(await store.getPost(post.id)).toMatchObject({ commentCount: 1 });
  });
});
