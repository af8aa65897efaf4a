import { describe, expect, test } from '@jest/globals';
import type { SqlDriver } from '../../src/store/sql/driver.js';
import { SQL_STORE_KINDS, storeFixture } from '../support/store-adapters.js';

// Named statements are what the store runs per vote (the vote, the account, the change log's read): the same
// rows, types and errors as an unnamed one, however often they run (PostgreSQL switches to a generic plan after
// five), and a failure leaves the session usable.
describe.each(SQL_STORE_KINDS)('%s driver: named statements', (kind) => {
  const stores = storeFixture(kind);

  async function withTable(): Promise<SqlDriver> {
    const db = await stores.blank();
    await db.exec(`CREATE TABLE items (id uuid PRIMARY KEY, name text NOT NULL UNIQUE, n smallint, doc jsonb, big bigint);
      INSERT INTO items VALUES ('00000000-0000-4000-8000-000000000001', 'one', 1, '{"a": [1, "x"]}', 9007199254740993),
                               ('00000000-0000-4000-8000-000000000002', 'two', NULL, NULL, NULL)`);
    return db;
  }

  const SELECT =
    'SELECT id, name, n, doc, big::text AS big FROM items WHERE name = ANY($1::text[]) AND ($2::smallint IS NULL OR n = $2) ORDER BY name';

  test('give the rows an unnamed statement gives, call after call, whatever the parameters', async () => {
    const db = await withTable();
    for (let i = 0; i < 8; i++) {
      for (const params of [
        [['one', 'two'], null],
        [['one'], 1],
        [['two'], 1],
        [[], null],
      ]) {
        expect(await db.query(SELECT, params, 'items_by_name')).toEqual(await db.query(SELECT, params));
      }
    }
    expect(await db.query(SELECT, [['one', 'two'], null], 'items_by_name')).toEqual([
      { id: '00000000-0000-4000-8000-000000000001', name: 'one', n: 1, doc: { a: [1, 'x'] }, big: '9007199254740993' },
      { id: '00000000-0000-4000-8000-000000000002', name: 'two', n: null, doc: null, big: null },
    ]);
  });

  test('write, and a failed one rejects as an unnamed one does, changes nothing and leaves the session usable', async () => {
    const db = await withTable();
    const INSERT = 'INSERT INTO items (id, name, doc) VALUES ($1, $2, $3) RETURNING name, doc';
    const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(await db.query(INSERT, [id(3), 'three', { b: true }], 'insert_item')).toEqual([{ name: 'three', doc: { b: true } }]);
    for (const [n, name, doc] of [
      [4, 'three', null],
      [5, 'five', '{not json'],
    ] as const) {
      const named = await failure(db.query(INSERT, [id(n), name, doc], 'insert_item'));
      expect(named).toBeInstanceOf(Error);
      expect(named).toEqual(await failure(db.query(INSERT, [id(n), name, doc])));
    }
    expect(await db.query(INSERT, [id(6), 'six', null], 'insert_item')).toEqual([{ name: 'six', doc: null }]);
    expect(await db.query('SELECT name FROM items ORDER BY name')).toEqual(['one', 'six', 'three', 'two'].map((name) => ({ name })));
  });

  test('one that does not parse rejects and is not kept: the name can be prepared again', async () => {
    const db = await withTable();
    await expect(db.query('SELEC name FROM items', [], 'broken')).rejects.toThrow('syntax error');
    await expect(db.query('SELECT name FROM nowhere', [], 'broken')).rejects.toThrow('does not exist');
    expect(await db.query("SELECT name FROM items WHERE name = 'one'", [], 'broken')).toEqual([{ name: 'one' }]);
    expect(await db.query("SELECT name FROM items WHERE name = 'one'", [], 'broken')).toEqual([{ name: 'one' }]);
  });

  test('wait for a transaction in progress instead of running inside it', async () => {
    const db = await withTable();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let updated!: () => void;
    const update = new Promise<void>((resolve) => (updated = resolve));
    const transaction = db.transaction(async (tx) => {
      await tx.query("UPDATE items SET n = 7 WHERE name = 'two'");
      updated();
      await held;
      throw new Error('rolled back');
    });
    await update;
    const read = db.query("SELECT n FROM items WHERE name = 'two'", [], 'n_of_two');
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await expect(transaction).rejects.toThrow('rolled back');
    // Inside the transaction it would have seen 7; after its rollback, the committed null.
    expect(await read).toEqual([{ n: null }]);
  });
});
