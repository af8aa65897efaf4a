import { describe, expect, test } from '@jest/globals';
import { StoreError } from '../../src/store/store-error.js';
import { SQL_STORE_KINDS, storeFixture } from '../support/store-adapters.js';

// A database that cannot use its files (a data directory gone read-only, a full or failing disk) fails a
// request that was fine: the client is told to try again (503), not that the server is broken (500).
describe.each(SQL_STORE_KINDS)('%s driver: errors of the database itself', (kind) => {
  const stores = storeFixture(kind);

  test('a file it cannot find (58P01) is `unavailable`, and the session stays usable', async () => {
    const db = await stores.blank();
    const failed = await db.query("SELECT pg_read_file('no-such-file')").catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(StoreError);
    expect(failed).toMatchObject({ kind: 'unavailable' });
    expect(String((failed as StoreError).cause)).toMatch(/could not/);
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  test('a full disk (53100) is `unavailable`, told as a shortage, not as a busy database', async () => {
    const db = await stores.blank();
    const full = await db
      .query("DO $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$")
      .catch((error: unknown) => error);
    expect(full).toMatchObject({ kind: 'unavailable', detail: 'The database is short of resources: try again later' });
    const timedOut = await db
      .query("DO $$ BEGIN RAISE EXCEPTION 'canceling statement due to statement timeout' USING ERRCODE = 'query_canceled'; END $$")
      .catch((error: unknown) => error);
    expect(timedOut).toMatchObject({ kind: 'unavailable', detail: 'The database is busy: try again' });
  });

  test("what a request's values or a statement get wrong stays as it was", async () => {
    const db = await stores.blank();
    expect(await db.query("SELECT 'x'::int").catch((error: unknown) => error)).toMatchObject({ kind: 'invalid' });
    const syntax = await db.query('SELEC 1').catch((error: unknown) => error);
    expect(syntax).not.toBeInstanceOf(StoreError);
  });
});
