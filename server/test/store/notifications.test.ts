import { describe, expect, test } from '@jest/globals';
import type { AuditRecord, Store } from '../../src/store/store.js';
import { StoreError } from '../../src/store/store-error.js';
import { createUsers, STORE_KINDS, storeFixture } from '../support/store-adapters.js';

async function comment(store: Store, postId: string, author: string, text: string, parentId: string | null = null) {
  return store.createComment({ postId, parentId, author, text });
}

describe.each(STORE_KINDS)('%s store: notifications', (kind) => {
  const stores = storeFixture(kind);

  test('a reply notifies the author it answers, with the reply; never its own author; a replay notifies no one', async () => {
    const store = await stores.fresh();
    await createUsers(store, 'ana', 'bob');
    const post = (await store.createPost({ title: 'Ask', url: null, text: null, author: 'ana' })).value;
    const own = await comment(store, post.id, 'ana', 'my own post');
    expect(own.notification).toBeNull();
    const top = await comment(store, post.id, 'bob', `a ${'long '.repeat(60)}answer`);
    expect(top.notification).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      recipient: 'ana',
      commentId: top.value.id,
      postId: post.id,
      actor: 'bob',
      excerpt: expect.stringMatching(/^a long long .*…$/),
      createdAt: top.value.createdAt,
      readAt: null,
    });
    expect(top.notification!.excerpt.length).toBeLessThanOrEqual(140);
    const key = { owner: 'ana', key: 'reply-1', requestHash: 'h' };
    const reply = await store.createComment({ postId: post.id, parentId: top.value.id, author: 'ana', text: 'thanks' }, key);
    expect(reply.notification).toMatchObject({ recipient: 'bob', commentId: reply.value.id });
    const again = await store.createComment({ postId: post.id, parentId: top.value.id, author: 'ana', text: 'thanks' }, key);
    expect(again).toMatchObject({ replayed: true, notification: null });
    expect(await store.listNotifications('bob', { limit: 10, unreadOnly: false })).toEqual({
      items: [reply.notification],
      nextCursor: null,
      unread: 1,
    });
  });

  test('pages newest first, filters unread, marks read only the recipient’s, and goes with the reply or the account', async () => {
    const store = await stores.fresh();
    await createUsers(store, 'ana', 'bob', 'cid');
    const post = (await store.createPost({ title: 'Ask', url: null, text: null, author: 'ana' })).value;
    const replies = [];
    for (let i = 0; i < 5; i += 1) replies.push(await comment(store, post.id, i % 2 ? 'bob' : 'cid', `reply ${i}`));
    const first = await store.listNotifications('ana', { limit: 2, unreadOnly: false });
    expect(first.items.map((n) => n.excerpt)).toEqual(['reply 4', 'reply 3']);
    expect(first.unread).toBe(5);
    const rest = await store.listNotifications('ana', { limit: 10, unreadOnly: false, cursor: first.nextCursor! });
    expect(rest.items.map((n) => n.excerpt)).toEqual(['reply 2', 'reply 1', 'reply 0']);
    expect(rest.nextCursor).toBeNull();
    await expect(store.listNotifications('ana', { limit: 10, unreadOnly: false, cursor: 'bogus' })).rejects.toBeInstanceOf(StoreError);

    const ids = first.items.map((n) => n.id);
    expect(await store.markNotificationsRead('bob', { ids })).toEqual({ marked: 0, unread: 0 });
    expect(await store.markNotificationsRead('ana', { ids: [...ids, 'not-an-id'] })).toEqual({ marked: 2, unread: 3 });
    expect(await store.markNotificationsRead('ana', { ids })).toEqual({ marked: 0, unread: 3 });
    const unread = await store.listNotifications('ana', { limit: 10, unreadOnly: true });
    expect(unread.items.map((n) => n.excerpt)).toEqual(['reply 2', 'reply 1', 'reply 0']);
    const read = await store.listNotifications('ana', { limit: 2, unreadOnly: false });
    expect(read.items.every((n) => typeof n.readAt === 'string')).toBe(true);

    await store.deleteComment(post.id, replies[0]!.value.id);
    expect((await store.listNotifications('ana', { limit: 10, unreadOnly: true })).items.map((n) => n.excerpt)).toEqual([
      'reply 2',
      'reply 1',
    ]);
    await store.deleteUser('bob');
    expect(await store.markNotificationsRead('ana', { all: true })).toEqual({ marked: 1, unread: 0 });
    expect((await store.listNotifications('ana', { limit: 10, unreadOnly: false })).items.map((n) => n.excerpt)).toEqual([
      'reply 4',
      'reply 2',
    ]);
    await store.deleteUser('ana');
    expect((await store.listNotifications('ana', { limit: 10, unreadOnly: false })).items).toEqual([]);
  });

  test('a reply hidden since, or one under a hidden post, is listed as hidden, by whom; restored, it is not', async () => {
    const store = await stores.fresh();
    await createUsers(store, 'ana', 'bob', 'cy');
    const audit = (targetKind: 'post' | 'comment', targetId: string): AuditRecord => ({
      actor: 'mia',
      action: 'hide',
      targetKind,
      targetId,
      reason: null,
    });
    const post = (await store.createPost({ title: 'Ask', url: null, text: null, author: 'ana' })).value;
    const first = await comment(store, post.id, 'bob', 'first');
    const second = await comment(store, post.id, 'bob', 'second');
    const hiddenOf = async () =>
      (await store.listNotifications('ana', { limit: 10, unreadOnly: false })).items.map((n) => [n.excerpt, n.hiddenBy ?? null]);
    expect(await hiddenOf()).toEqual([
      ['second', null],
      ['first', null],
    ]);
    await store.setHidden({ kind: 'comment', postId: post.id, id: first.value.id }, true, audit('comment', first.value.id));
    // One flag is the threshold here: flags alone hide the second reply.
    await store.flag({ kind: 'comment', postId: post.id, id: second.value.id }, 'cy', 'spam', 1);
    expect(await hiddenOf()).toEqual([
      ['second', 'flags'],
      ['first', 'moderator'],
    ]);
    // A post a moderator hid hides its replies as a moderator's, whatever hid them before.
    await store.setHidden({ kind: 'post', postId: post.id }, true, audit('post', post.id));
    expect(await hiddenOf()).toEqual([
      ['second', 'moderator'],
      ['first', 'moderator'],
    ]);
    await store.setHidden({ kind: 'post', postId: post.id }, false, { ...audit('post', post.id), action: 'restore' });
    for (const reply of [first, second]) {
      await store.setHidden({ kind: 'comment', postId: post.id, id: reply.value.id }, false, {
        ...audit('comment', reply.value.id),
        action: 'restore',
      });
    }
    expect(await hiddenOf()).toEqual([
      ['second', null],
      ['first', null],
    ]);
  });

  // RethinkDB reads no two documents in one snapshot: its count and its page may disagree for a moment.
  if (kind !== 'rethinkdb') {
    // Read apart, a reply committed between the page and the count was counted and not listed: a reader who had it
    // live (the widget) counted it twice.
    test('the page and the unread count are one reading: a reply written meanwhile is in both or in neither', async () => {
      const store = await stores.fresh();
      await createUsers(store, 'ana', 'bob');
      const post = (await store.createPost({ title: 'Ask', url: null, text: null, author: 'ana' })).value;
      await comment(store, post.id, 'bob', 'first');
      for (let i = 0; i < 5; i += 1) {
        const [page] = await Promise.all([
          store.listNotifications('ana', { limit: 50, unreadOnly: false }),
          comment(store, post.id, 'bob', `reply ${i}`),
        ]);
        expect(page.unread).toBe(page.items.length);
      }
      const [marked] = await Promise.all([store.markNotificationsRead('ana', { all: true }), comment(store, post.id, 'bob', 'last')]);
      // The last reply was marked with the rest or written after the update read: either way the answer counts none.
      expect(marked.unread).toBe(0);
      expect(marked.marked + (await store.listNotifications('ana', { limit: 50, unreadOnly: true })).unread).toBe(7);
    });
  }
});
