import { describe, expect, test } from '@jest/globals';
import pg from 'pg';
import type { Store, StoredComment, StoredPost, Vote } from '../../src/store/store.js';
import { StoreError } from '../../src/store/store-error.js';
import { createUsers, STORE_KINDS, storeFixture } from '../support/store-adapters.js';

const RACERS = 20;

async function allPosts(store: Store): Promise<StoredPost[]> {
  const all: StoredPost[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listPosts('new', { limit: 100, cursor });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

async function allComments(store: Store, postId: string): Promise<StoredComment[]> {
  const all: StoredComment[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listComments(postId, { limit: 100, cursor });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/** Expects a write to have failed because its account does not exist (any more). */
function expectAccountGone(reason: unknown): void {
  expect(reason).toBeInstanceOf(StoreError);
  expect(reason).toMatchObject({ kind: 'account-gone', detail: 'The account no longer exists' });
}

async function expectRejectedAccountGone(write: Promise<unknown>): Promise<void> {
  expectAccountGone(
    await write.then(
      (value) => ({ resolved: value }),
      (error: unknown) => error,
    ),
  );
}

describe.each(STORE_KINDS)('%s store: writes by accounts that are gone', (kind) => {
  const stores = storeFixture(kind);

  test('a post, comment or vote by a login without an account fails unauthorized and leaves nothing', async () => {
    const store = await stores.fresh();
    await createUsers(store, 'bob');
    const { value: post } = await store.createPost({ title: 'By bob', url: null, text: null, author: 'bob' });
    const ghost = 'ghost';
    // A post fails on the foreign key; comments and votes on the account lock taken first.
    await expectRejectedAccountGone(store.createPost({ title: 'Stray', url: null, text: null, author: ghost }));
    await expectRejectedAccountGone(
      store.createPost({ title: 'Stray', url: null, text: null, author: ghost }, { owner: ghost, key: 'k', requestHash: 'h' }),
    );
    await expectRejectedAccountGone(store.createComment({ postId: post.id, parentId: null, author: ghost, text: 'stray' }));
    await expectRejectedAccountGone(store.setVote(post.id, ghost, 1));
    // Retracting a vote that cannot exist changes nothing and needs no account.
    expect(await store.setVote(post.id, ghost, 0)).toEqual(post);

    expect((await allPosts(store)).map((p) => p.id)).toEqual([post.id]);
    expect(await allComments(store, post.id)).toEqual([]);
    expect(await store.getPost(post.id)).toEqual(post);
    // The failed creation did not use up the key for a later account of that login.
    await createUsers(store, ghost);
    const later = await store.createPost(
      { title: 'Mine', url: null, text: null, author: ghost },
      { owner: ghost, key: 'k', requestHash: 'h' },
    );
    expect(later.replayed).toBe(false);
  });

  // Issued first, the deletion tends to lock the account before the writes
  // reach it, and they wait and fail; issued halfway on postgres, it tends to
  // wait until no write of the account is in flight (KEY SHARE lockers
  // overtake a waiting FOR UPDATE), and then removes them all. Embedded runs
  // one transaction at a time: the writes before it are removed, the rest fail.
  test.each([
    ['first', 0],
    ['halfway', RACERS / 2],
  ])(
    'deleting an account while it writes (deletion issued %s): each write is removed or fails unauthorized, nothing remains, counters stay exact',
    async (_, deleteAt) => {
      const store = await stores.fresh();
      const voters = ['ana', 'bob', 'cid'] as const;
      await createUsers(store, ...voters);

      // Bob's posts, which survive: ana has voted and commented on some of them
      // already, and races to vote and comment on all of them.
      const targets: StoredPost[] = [];
      for (let i = 0; i < RACERS; i++) {
        const { value: post } = await store.createPost({ title: `bob ${i}`, url: null, text: null, author: 'bob' });
        targets.push(post);
        await store.setVote(post.id, 'bob', 1);
        if (i % 2 === 0) await store.setVote(post.id, 'cid', -1);
        if (i % 3 === 0) await store.setVote(post.id, 'ana', i % 2 === 0 ? 1 : -1);
        const { value: anas } = await store.createComment({ postId: post.id, parentId: null, author: 'ana', text: 'earlier' });
        if (i % 4 === 0) await store.createComment({ postId: post.id, parentId: anas.id, author: 'bob', text: 'reply to ana' });
        await store.createComment({ postId: post.id, parentId: null, author: 'cid', text: 'stays' });
      }
      // Ana's own post, voted and commented on by others.
      const { value: own } = await store.createPost({ title: 'ana', url: null, text: null, author: 'ana' });
      await store.setVote(own.id, 'bob', 1);
      await store.createComment({ postId: own.id, parentId: null, author: 'cid', text: 'goes with the post' });

      // 20 posts, 20 comments and 20 votes at once, the deletion among them;
      // on postgres the pool runs ten transactions side by side.
      type Racer =
        | { kind: 'post'; result: Promise<StoredPost> }
        | { kind: 'comment'; result: Promise<StoredComment> }
        | { kind: 'vote'; result: Promise<StoredPost | null> };
      const racers: Racer[] = [];
      let deletion: Promise<boolean> | undefined;
      for (let i = 0; i < RACERS; i++) {
        if (i === deleteAt) deletion = store.deleteUser('ana');
        const post = targets[i]!;
        const key = i % 2 === 0 ? { owner: 'ana', key: `race-${i}`, requestHash: 'h' } : undefined;
        racers.push({
          kind: 'post',
          result: store.createPost({ title: `racing ${i}`, url: null, text: null, author: 'ana' }, key).then((c) => c.value),
        });
        racers.push({
          kind: 'comment',
          result: store.createComment({ postId: post.id, parentId: null, author: 'ana', text: `racing ${i}` }).then((c) => c.value),
        });
        racers.push({ kind: 'vote', result: store.setVote(post.id, 'ana', ((i % 2) * 2 - 1) as Vote) });
      }
      expect(await deletion).toBe(true);
      const outcomes = await Promise.allSettled(racers.map((racer) => racer.result));

      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'rejected') {
          expectAccountGone(outcome.reason);
          continue;
        }
        const racer = racers[i]!;
        // It committed before the deletion, which then removed it.
        if (racer.kind === 'post') expect(await store.getPost((outcome.value as StoredPost).id)).toBeNull();
        if (racer.kind === 'comment') {
          const comment = outcome.value as StoredComment;
          expect(await store.getComment(comment.postId, comment.id)).toBeNull();
        }
        if (racer.kind === 'vote') expect(outcome.value).not.toBeNull();
      }

      // Nothing of ana remains, and every post's counters match its rows.
      expect(await store.getUser('ana')).toBeNull();
      const posts = await allPosts(store);
      expect(posts.map((p) => p.id).sort()).toEqual(targets.map((p) => p.id).sort());
      const ids = posts.map((p) => p.id);
      const votes = new Map(await Promise.all(voters.map(async (voter) => [voter, await store.getVotes(voter, ids)] as const)));
      expect(votes.get('ana')).toEqual(new Map());
      for (const post of posts) {
        expect(post.author).not.toBe('ana');
        const comments = await allComments(store, post.id);
        expect(comments.filter((c) => c.author === 'ana')).toEqual([]);
        const cast = voters.map((voter) => votes.get(voter)!.get(post.id)).filter((vote) => vote !== undefined);
        expect(post).toMatchObject({
          upvotes: cast.filter((vote) => vote === 1).length,
          downvotes: cast.filter((vote) => vote === -1).length,
          commentCount: comments.length,
        });
      }

      // A later account of that login starts with nothing, not even the keys.
      await createUsers(store, 'ana');
      expect(await store.getVotes('ana', ids)).toEqual(new Map());
      const again = await store.createPost(
        { title: 'racing 0', url: null, text: null, author: 'ana' },
        { owner: 'ana', key: 'race-0', requestHash: 'h' },
      );
      expect(again.replayed).toBe(false);
    },
    60_000,
  );
});

describe('postgres store: writes waiting on an account deletion', () => {
  const stores = storeFixture('postgres');

  /** Polls until `check` holds; the test's timeout bounds the wait. */
  async function until(check: () => Promise<boolean>): Promise<void> {
    while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  test('they wait on the account without holding post locks, then fail unauthorized', async () => {
    const { store, url } = await stores.open();
    await createUsers(store, 'ana', 'bob');
    const { value: post } = await store.createPost({ title: 'By bob', url: null, text: null, author: 'bob' });

    // A deletion in progress, held open at the point where it has locked the account.
    const deleter = new pg.Client({ connectionString: url! });
    await deleter.connect();
    try {
      await deleter.query('BEGIN');
      await deleter.query("SELECT 1 FROM users WHERE login = 'ana' FOR UPDATE");
      const writes = Promise.allSettled([
        store.createPost({ title: 'racing', url: null, text: null, author: 'ana' }),
        store.createComment({ postId: post.id, parentId: null, author: 'ana', text: 'racing' }),
        store.setVote(post.id, 'ana', 1),
      ]);
      await until(async () => {
        // Statistics views keep their first snapshot for the whole transaction.
        await deleter.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await deleter.query<{ n: number }>(
          "SELECT count(*)::integer AS n FROM pg_stat_activity WHERE application_name = 'news-forum' AND wait_event_type = 'Lock'",
        );
        return rows[0]!.n === 3;
      });
      // deleteUser locks the posts next: had a waiting write locked one first, this would deadlock.
      await deleter.query('SELECT 1 FROM posts WHERE id = $1 FOR UPDATE NOWAIT', [post.id]);
      await deleter.query("DELETE FROM users WHERE login = 'ana'");
      await deleter.query('COMMIT');

      for (const outcome of await writes) {
        expect(outcome.status).toBe('rejected');
        expectAccountGone((outcome as PromiseRejectedResult).reason);
      }
      expect(await store.getPost(post.id)).toEqual(post);
      expect((await store.listPosts('new', { limit: 10 })).items).toEqual([post]);
    } finally {
      await deleter.end();
    }
  });
});
