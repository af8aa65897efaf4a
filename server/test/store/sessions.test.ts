import { randomUUID } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { pruneLogs } from '../../src/store/sql/housekeeping.js';
import { migrate } from '../../src/store/sql/migrations.js';
import { SqlStore } from '../../src/store/sql/sql-store.js';
import { createUsers, SQL_STORE_KINDS, STORE_KINDS, storeFixture } from '../support/store-adapters.js';

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe.each(STORE_KINDS)('%s store: sessions and revoked tokens', (kind) => {
  const stores = storeFixture(kind);

  test('setPassword replaces the hash and raises the session version; other accounts keep theirs', async () => {
    const store = await stores.fresh();
    await createUsers(store, 'ana', 'bob');
    const before = await store.getUser('ana');
    expect(before?.sessionVersion).toBe(0);
    const changed = await store.setPassword('ana', 'new-hash');
    expect(changed).toEqual({ ...before, passwordHash: 'new-hash', sessionVersion: 1 });
    expect(await store.getUser('ana')).toEqual(changed);
    expect((await store.setPassword('ana', 'newer-hash'))?.sessionVersion).toBe(2);
    expect(await store.getUser('bob')).toMatchObject({ passwordHash: 'hash-of-bob', sessionVersion: 0 });
    expect(await store.setPassword('nobody', 'h')).toBeNull();
    expect(await store.getUser('nobody')).toBeNull();
    // The first test of a run may prepare the template database.
  }, 60_000);

  test('endSessions raises the session version only', async () => {
    const store = await stores.fresh();
    await createUsers(store, 'ana');
    const before = await store.getUser('ana');
    expect(await store.endSessions('ana')).toEqual({ ...before, sessionVersion: 1 });
    expect(await store.endSessions('ana')).toEqual({ ...before, sessionVersion: 2 });
    expect(await store.endSessions('nobody')).toBeNull();
  });

  test('a login taken again starts over at session version 0', async () => {
    const store = await stores.fresh();
    await createUsers(store, 'ana');
    await store.endSessions('ana');
    await store.deleteUser('ana');
    await createUsers(store, 'ana');
    expect((await store.getUser('ana'))?.sessionVersion).toBe(0);
  });

  test('revoked tokens are listed until they expire, once each, and go with their account', async () => {
    const store = await stores.fresh();
    await createUsers(store, 'ana', 'bob');
    const ana = (await store.getUser('ana'))!;
    const bob = (await store.getUser('bob'))!;
    const first = { jti: randomUUID(), accountId: ana.id, expiresAt: inAnHour() };
    const second = { jti: randomUUID(), accountId: bob.id, expiresAt: inAnHour() };
    await store.revokeToken(first);
    await store.revokeToken(first);
    await store.revokeToken(second);
    const listed = await store.listRevokedTokens();
    expect(listed.sort((a, b) => a.jti.localeCompare(b.jti))).toEqual(
      [first, second]
        .map((t) => ({ ...t, expiresAt: new Date(Date.parse(t.expiresAt)).toISOString() }))
        .sort((a, b) => a.jti.localeCompare(b.jti)),
    );

    // Expired: no longer listed.
    await store.revokeToken({ jti: randomUUID(), accountId: ana.id, expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(await store.listRevokedTokens()).toHaveLength(2);

    // An account that is gone leaves nothing behind, and nothing is remembered for it.
    await store.deleteUser('bob');
    await store.revokeToken({ jti: randomUUID(), accountId: bob.id, expiresAt: inAnHour() });
    expect((await store.listRevokedTokens()).map((t) => t.jti)).toEqual([first.jti]);
  });

  test('a malformed token id is refused without writing anything', async () => {
    const store = await stores.fresh();
    await createUsers(store, 'ana');
    const ana = (await store.getUser('ana'))!;
    await expect(store.revokeToken({ jti: 'not-a-uuid', accountId: ana.id, expiresAt: inAnHour() })).rejects.toMatchObject({
      kind: 'invalid',
    });
    await expect(store.revokeToken({ jti: randomUUID(), accountId: 'x', expiresAt: inAnHour() })).rejects.toMatchObject({
      kind: 'invalid',
    });
    expect(await store.listRevokedTokens()).toEqual([]);
  });

  test('revocations survive reopening the store', async () => {
    const { store, url, dataDir } = await stores.open();
    await createUsers(store, 'ana');
    const ana = (await store.getUser('ana'))!;
    const jti = randomUUID();
    await store.revokeToken({ jti, accountId: ana.id, expiresAt: inAnHour() });
    await store.endSessions('ana');
    await store.close();
    const { openStore } = await import('../../src/store/open-store.js');
    const reopened = await openStore(
      kind === 'embedded' ? { kind, dataDir: dataDir! } : kind === 'postgres' ? { kind, databaseUrl: url! } : { kind, rethinkdbUrl: url! },
    );
    try {
      expect((await reopened.listRevokedTokens()).map((t) => t.jti)).toEqual([jti]);
      expect((await reopened.getUser('ana'))?.sessionVersion).toBe(1);
    } finally {
      await reopened.close();
    }
  }, 60_000);
});

describe.each(SQL_STORE_KINDS)('%s store: session storage in SQL', (kind) => {
  const stores = storeFixture(kind);

  test('pruning removes revoked tokens past their expiry only', async () => {
    const driver = await stores.blank();
    await migrate(driver);
    const store = await SqlStore.open(kind, driver);
    await createUsers(store, 'ana');
    const ana = (await store.getUser('ana'))!;
    const kept = randomUUID();
    await store.revokeToken({ jti: kept, accountId: ana.id, expiresAt: inAnHour() });
    await store.revokeToken({ jti: randomUUID(), accountId: ana.id, expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(await driver.query('SELECT count(*)::integer AS n FROM revoked_tokens')).toEqual([{ n: 2 }]);
    await pruneLogs(driver);
    expect(await driver.query('SELECT jti::text AS jti FROM revoked_tokens')).toEqual([{ jti: kept }]);
    await store.close();
  }, 60_000);

  test('migration 4 gives existing accounts session version 0', async () => {
    const driver = await stores.blank();
    await migrate(driver, 3);
    await driver.exec(`INSERT INTO users (login, display_name, password_hash) VALUES ('ana', 'Ana', 'h')`);
    const store = await SqlStore.open(kind, driver);
    expect(await store.getUser('ana')).toMatchObject({ login: 'ana', sessionVersion: 0 });
    await store.close();
  }, 60_000);
});
