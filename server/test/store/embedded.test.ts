import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { openStore } from '../../src/store/open-store.js';
import { scratchDir } from '../support/postgres.js';
import { createUsers, storeFixture } from '../support/store-adapters.js';
import { readFeed } from '../support/store-feed.js';

describe('embedded store: persistence', () => {
  const stores = storeFixture('embedded');

  test('reopening the data directory keeps every record, and the feed goes on', async () => {
    const { store, dataDir } = await stores.open();
    await store.createUser({ login: 'ana', displayName: 'Ana', scopes: ['read'], passwordHash: 'h' });
    await createUsers(store, 'bob', 'cid');
    const { value: post } = await store.createPost(
      { title: 'Kept', url: 'https://example.com', text: null, author: 'ana' },
      { owner: 'ana', key: 'k', requestHash: 'h' },
    );
    await store.setVote(post.id, 'bob', -1);
    const { value: comment } = await store.createComment({ postId: post.id, parentId: null, author: 'bob', text: 'kept too' });
    const before = await store.getPost(post.id);
    await store.close();

    const reopened = await openStore({ kind: 'embedded', dataDir: dataDir! });
    try {
      expect(reopened.kind).toBe('embedded');
      expect(await reopened.getUser('ana')).toMatchObject({ login: 'ana', scopes: ['read'] });
      expect(await reopened.getPost(post.id)).toEqual(before);
      expect(await reopened.getVotes('bob', [post.id])).toEqual(new Map([[post.id, -1]]));
      expect(await reopened.getComment(post.id, comment.id)).toEqual(comment);
      expect(
        await reopened.createPost(
          { title: 'Kept', url: 'https://example.com', text: null, author: 'ana' },
          { owner: 'ana', key: 'k', requestHash: 'h' },
        ),
      ).toEqual({ value: before, replayed: true });

      const feed = readFeed(reopened, 'comments');
      const { value: later } = await reopened.createComment({
        postId: post.id,
        parentId: comment.id,
        author: 'cid',
        text: 'after reopening',
      });
      expect(await feed.next()).toEqual({ old_val: null, new_val: later });
    } finally {
      await reopened.close();
    }
  });

  test('openStore creates <dataDir>/pglite on first use', async () => {
    const dataDir = await mkdtemp(path.join(scratchDir(), 'news-forum-fresh-'));
    try {
      const store = await openStore({ kind: 'embedded', dataDir: path.join(dataDir, 'nested') });
      await store.ping();
      await store.close();
      expect(existsSync(path.join(dataDir, 'nested', 'pglite', 'PG_VERSION'))).toBe(true);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    // A real initdb: about 2 s on an idle machine, far more on a busy one.
  }, 120_000);

  test("a data directory others could enter (an earlier version's, with files anyone could write) is made the node's alone", async () => {
    const { store, dataDir } = await stores.open();
    await store.close();
    const folder = path.join(dataDir!, 'pglite');
    await chmod(folder, 0o777);
    await chmod(path.join(folder, 'PG_VERSION'), 0o666);
    const reopened = await openStore({ kind: 'embedded', dataDir: dataDir! });
    try {
      expect((await stat(folder)).mode & 0o777).toBe(0o700);
      await reopened.ping();
    } finally {
      await reopened.close();
    }
  });

  test('openStore names what is missing', async () => {
    await expect(openStore({ kind: 'embedded' })).rejects.toThrow('dataDir');
    await expect(openStore({ kind: 'postgres' })).rejects.toThrow('databaseUrl');
  });

  test('a closed store answers unavailable', async () => {
    const store = await stores.fresh();
    await store.close();
    await expect(store.getUser('ana')).rejects.toMatchObject({ kind: 'unavailable' });
    await store.close();
  });
});
