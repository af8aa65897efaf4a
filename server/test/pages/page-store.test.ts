import { setTimeout as sleep } from 'node:timers/promises';
import { normalisePageUrl } from '@news-forum/protocol';
import type { BackupRecord } from '../../src/store/store.js';
import { createUsers, STORE_KINDS, storeFixture } from '../support/store-adapters.js';

const PAGE = normalisePageUrl('https://blog.example.com/post-42')!;

describe.each(STORE_KINDS)('%s store: page posts', (kind) => {
  const stores = storeFixture(kind);

  test('the first call creates the page post, later ones find it; pageUrl is on the post and in the list', async () => {
    const store = await stores.fresh();
    await createUsers(store, 'ana', 'bob');
    expect(await store.getPagePost(PAGE)).toBeNull();
    const created = await store.ensurePagePost({ pageUrl: PAGE, title: 'Post 42', author: 'ana' });
    expect(created).toMatchObject({ title: 'Post 42', url: PAGE, text: null, author: 'ana', pageUrl: PAGE, commentCount: 0 });
    const again = await store.ensurePagePost({ pageUrl: PAGE, title: 'Other title', author: 'bob' });
    expect(again).toMatchObject({ id: created.id, title: 'Post 42', author: 'ana' });
    expect(await store.getPagePost(PAGE)).toEqual(await store.getPost(created.id));
    // Ordinary posts carry no pageUrl.
    const plain = await store.createPost({ title: 'plain', url: null, text: 'x', author: 'ana' });
    expect(plain.value).not.toHaveProperty('pageUrl');
    const listed = (await store.listPosts('new', { limit: 10 })).items;
    expect(listed.map((post) => post.pageUrl ?? null)).toEqual([null, PAGE]);
  });

  test('twenty first calls at once make one post', async () => {
    const store = await stores.fresh();
    const authors = Array.from({ length: 20 }, (_, i) => `reader${i}`);
    await createUsers(store, ...authors);
    const posts = await Promise.all(authors.map((author) => store.ensurePagePost({ pageUrl: PAGE, title: author, author })));
    expect(new Set(posts.map((post) => post.id)).size).toBe(1);
    expect((await store.listPosts('new', { limit: 50 })).items).toHaveLength(1);
  });

  test('a deleted page post frees the page: the next comment starts a new discussion', async () => {
    const store = await stores.fresh();
    await createUsers(store, 'ana');
    const first = await store.ensurePagePost({ pageUrl: PAGE, title: 'one', author: 'ana' });
    await store.deletePost(first.id);
    expect(await store.getPagePost(PAGE)).toBeNull();
    const second = await store.ensurePagePost({ pageUrl: PAGE, title: 'two', author: 'ana' });
    expect(second.id).not.toBe(first.id);
    expect(await store.getPagePost(PAGE)).toMatchObject({ id: second.id, title: 'two' });
  });

  test('a first comment the store refuses leaves no page post', async () => {
    const store = await stores.fresh();
    await createUsers(store, 'ana');
    await expect(store.createPageComment({ pageUrl: PAGE, title: 'Post 42', author: 'ana' }, 'bad\u0000text')).rejects.toMatchObject({
      kind: 'invalid',
    });
    expect(await store.getPagePost(PAGE)).toBeNull();
    expect((await store.listPosts('new', { limit: 10 })).items).toEqual([]);
  });

  test('a page post of a gone account is refused with account-gone', async () => {
    const store = await stores.fresh();
    await expect(store.ensurePagePost({ pageUrl: PAGE, title: 't', author: 'ghost' })).rejects.toMatchObject({ kind: 'account-gone' });
    expect(await store.getPagePost(PAGE)).toBeNull();
  });

  test('backup and restore keep the page of a post', async () => {
    const source = await stores.fresh();
    await createUsers(source, 'ana');
    const post = await source.ensurePagePost({ pageUrl: PAGE, title: 'Post 42', author: 'ana' });
    await source.createComment({ postId: post.id, parentId: null, author: 'ana', text: 'first' });
    const rows: BackupRecord[] = [];
    await source.exportRows({ begin: async () => undefined, rows: async (batch) => void rows.push(...batch) });
    expect(rows.find((record) => record.table === 'posts')?.row).toMatchObject({ pageUrl: PAGE });

    const target = await stores.fresh();
    async function* replay() {
      yield* rows;
    }
    await target.importRows(replay());
    expect(await target.getPagePost(PAGE)).toMatchObject({ id: post.id, pageUrl: PAGE, commentCount: 1 });
    // The restored page keeps its one post.
    await createUsers(target, 'bob');
    expect((await target.ensurePagePost({ pageUrl: PAGE, title: 'again', author: 'bob' })).id).toBe(post.id);
  });

  test("a page post outlives its first commenter's account: it passes to the oldest other commenter", async () => {
    const store = await stores.fresh();
    await createUsers(store, 'ana', 'bob', 'cid');
    const post = await store.ensurePagePost({ pageUrl: PAGE, title: 'Post 42', author: 'ana' });
    const comment = async (author: string, text: string) => {
      const created = await store.createComment({ postId: post.id, parentId: null, author, text });
      // Comments a millisecond apart: the oldest is the one written first.
      await sleep(3);
      return created;
    };
    await comment('ana', 'first');
    await comment('bob', 'second');
    await comment('ana', 'third');
    await comment('cid', 'fourth');
    // A page post only ana commented on goes with her account.
    const lonely = normalisePageUrl('https://blog.example.com/post-43')!;
    const alone = await store.ensurePagePost({ pageUrl: lonely, title: 'Post 43', author: 'ana' });
    await store.createComment({ postId: alone.id, parentId: null, author: 'ana', text: 'only me' });

    expect(await store.deleteUser('ana')).toBe(true);
    const kept = await store.getPost(post.id);
    expect(kept).toMatchObject({ id: post.id, pageUrl: PAGE, author: 'bob', commentCount: 2 });
    expect(kept!.version).toBeGreaterThan(post.version);
    expect(await store.getPagePost(PAGE)).toMatchObject({ id: post.id, author: 'bob' });
    const left = (await store.listComments(post.id, { limit: 10 })).items;
    expect(left.map((c) => [c.author, c.text])).toEqual([
      ['bob', 'second'],
      ['cid', 'fourth'],
    ]);
    expect(await store.getPost(alone.id)).toBeNull();
    expect(await store.getPagePost(lonely)).toBeNull();
    // The freed page starts a new discussion.
    const again = await store.ensurePagePost({ pageUrl: lonely, title: 'again', author: 'bob' });
    expect(again.id).not.toBe(alone.id);
  });
});
