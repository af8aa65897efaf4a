import { describe, expect, test } from '@jest/globals';
import type { SqlDriver } from '../../src/store/sql/driver.js';
import { SqlStore } from '../../src/store/sql/sql-store.js';
import type { NewUserRecord, Store } from '../../src/store/store.js';
import { StoreError } from '../../src/store/store-error.js';
import { logins, SQL_STORE_KINDS, STORE_KINDS, storeFixture } from '../support/store-adapters.js';

function newUser(login: string, overrides: Partial<NewUserRecord> = {}): NewUserRecord {
  return { login, displayName: `User ${login}`, scopes: [], passwordHash: `hash-of-${login}`, ...overrides };
}

async function allUsers(store: Store, limit: number): Promise<{ logins: string[]; pages: number }> {
  const logins: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.listUsers({ limit, cursor });
    pages++;
    logins.push(...page.items.map((user) => user.login));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { logins, pages };
}

describe.each(STORE_KINDS)('%s store: users', (kind) => {
  const stores = storeFixture(kind);

  test('creates an account and reads it back with every field', async () => {
    const store = await stores.fresh();
    const created = await store.createUser(newUser('ana', { scopes: ['read', 'delete'] }));
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      login: 'ana',
      displayName: 'User ana',
      scopes: ['read', 'delete'],
      passwordHash: 'hash-of-ana',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      sessionVersion: 0,
    });
    expect(Math.abs(Date.parse(created.createdAt) - Date.now())).toBeLessThan(60_000);
    expect(await store.getUser('ana')).toEqual(created);
    expect(await store.getUser('bob')).toBeNull();
  });

  test('a taken login is a conflict and leaves the first account unchanged', async () => {
    const store = await stores.fresh();
    const first = await store.createUser(newUser('ana'));
    const second = store.createUser(newUser('ana', { displayName: 'Impostor', passwordHash: 'other' }));
    await expect(second).rejects.toBeInstanceOf(StoreError);
    await expect(second).rejects.toMatchObject({ kind: 'conflict' });
    expect(await store.getUser('ana')).toEqual(first);
  });

  test('lists accounts by login, page after page, each exactly once', async () => {
    const store = await stores.fresh();
    const logins = ['zed', 'ana', 'a-b', 'a_b', 'bob', 'b0b', 'carl', 'dora', 'eve'];
    for (const login of logins) await store.createUser(newUser(login));
    const sorted = [...logins].sort();
    for (const limit of [1, 2, 4, 9, 50]) {
      const { logins: listed, pages } = await allUsers(store, limit);
      expect(listed).toEqual(sorted);
      expect(pages).toBe(Math.max(1, Math.ceil(logins.length / limit)));
    }
  });

  test('an empty store lists nothing and has no next page', async () => {
    const store = await stores.fresh();
    expect(await store.listUsers({ limit: 10 })).toEqual({ items: [], nextCursor: null });
  });

  test('cursors are base64url and a malformed one is a bad request', async () => {
    const store = await stores.fresh();
    for (const login of ['ana', 'bob', 'cid']) await store.createUser(newUser(login));
    const { nextCursor } = await store.listUsers({ limit: 1 });
    expect(nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const foreign = Buffer.from(JSON.stringify(['hot', 1, 'x'])).toString('base64url');
    for (const cursor of ['not a cursor', '!!!', 'e30', foreign, `${nextCursor}=`, Buffer.from('["users",1]').toString('base64url')]) {
      await expect(store.listUsers({ limit: 1, cursor })).rejects.toMatchObject({ kind: 'invalid', detail: 'Invalid cursor' });
    }
  });

  test('deleting an account reports whether it existed', async () => {
    const store = await stores.fresh();
    await store.createUser(newUser('ana'));
    expect(await store.deleteUser('ana')).toBe(true);
    expect(await store.getUser('ana')).toBeNull();
    expect(await store.deleteUser('ana')).toBe(false);
  });
});

describe.each(SQL_STORE_KINDS)('%s store: accounts read together', (kind) => {
  const stores = storeFixture(kind);

  /** The store over `driver`, and how many account reads reached the database. */
  async function countingStore(driver: SqlDriver): Promise<{ store: SqlStore; reads: () => number }> {
    let reads = 0;
    const counting: SqlDriver = {
      ...driver,
      query: (text, params) => {
        if (/user_json\(u\) AS doc FROM users u WHERE/.test(text)) reads++;
        return driver.query(text, params);
      },
    };
    return { store: await SqlStore.open(kind, counting), reads: () => reads };
  }

  test('reads asked for at once are each answered with their own account, in far fewer statements', async () => {
    const { store, reads } = await countingStore(await stores.blank());
    const voters = logins('reader', 60);
    for (const login of voters) await store.createUser(newUser(login, { scopes: login.endsWith('7') ? ['delete'] : [] }));
    const asked = [...voters, 'nobody', voters[3]!, 'READER1', voters[59]!];
    const before = reads();
    const users = await Promise.all(asked.map((login) => store.getUser(login)));
    const statements = reads() - before;
    expect(users.map((user) => user?.login ?? null)).toEqual([...voters, null, voters[3], null, voters[59]]);
    for (const user of users) if (user) expect(user).toEqual(await store.getUser(user.login));
    expect(users.filter((user) => user?.scopes.includes('delete')).map((user) => user!.login)).toEqual(
      voters.filter((login) => login.endsWith('7')),
    );
    expect(statements).toBeLessThan(10);
    await store.close();
  });

  test('reads asked for in one event-loop turn go to the database as one statement', async () => {
    const { store, reads } = await countingStore(await stores.blank());
    const readers = logins('turn', 12);
    for (const login of readers) await store.createUser(newUser(login));
    const before = reads();
    const users = await Promise.all(readers.map((login) => store.getUser(login)));
    expect(users.map((user) => user?.login)).toEqual(readers);
    // Not the first one or two alone, as when a read that found a free connection went at once.
    expect(reads() - before).toBe(1);
    await store.close();
  });

  test('a read asked for after a write sees it, even while earlier reads are under way', async () => {
    const { store } = await countingStore(await stores.blank());
    await store.createUser(newUser('ana'));
    for (let round = 1; round <= 5; round++) {
      const earlier = Array.from({ length: 20 }, () => store.getUser('ana'));
      await store.endSessions('ana');
      expect((await store.getUser('ana'))?.sessionVersion).toBe(round);
      for (const user of await Promise.all(earlier)) expect(user?.sessionVersion).toBeGreaterThanOrEqual(round - 1);
    }
    await store.deleteUser('ana');
    expect(await store.getUser('ana')).toBeNull();
    await store.close();
  });
});
