import { LONG_QUERY_MS, type RethinkdbConnection, SCHEMA_QUERY_MS } from './connection.js';
import { removeDuplicates } from './duplicates.js';
import { r, type Term } from './reql.js';

/** How the tables are spread over the cluster: RETHINKDB_SHARDS × RETHINKDB_REPLICAS. */
export interface TableLayout {
  shards: number;
  replicas: number;
}

export const DEFAULT_LAYOUT: TableLayout = { shards: 1, replicas: 1 };

type IndexFunction = (row: Term) => Term;

interface TableSpec {
  primaryKey: string;
  indexes: Record<string, IndexFunction>;
}

/**
 * The tables and their secondary indexes. Orderings end with the id so that
 * every key is unique and a cursor names one place in the list.
 */
export const TABLES = {
  users: { primaryKey: 'login', indexes: {} },
  posts: {
    primaryKey: 'id',
    indexes: {
      hot: (row) => r.expr([row('hot'), row('id')]),
      new: (row) => r.expr([row('createdAt'), row('id')]),
      top: (row) => r.expr([row('score'), row('createdAt'), row('id')]),
      author: (row) => row('author'),
    },
  },
  comments: {
    primaryKey: 'id',
    indexes: {
      thread: (row) => r.expr([row('postId'), row('createdAt'), row('id')]),
      postId: (row) => row('postId'),
      parentId: (row) => row('parentId'),
      author: (row) => row('author'),
    },
  },
  votes: {
    primaryKey: 'id',
    indexes: {
      postId: (row) => row('postId'),
      login: (row) => row('login'),
    },
  },
  idempotency_keys: {
    primaryKey: 'id',
    indexes: {
      owner: (row) => row('owner'),
      createdAt: (row) => row('createdAt'),
    },
  },
  flags: {
    primaryKey: 'id',
    indexes: {
      target: (row) => r.expr([row('kind'), row('targetId')]),
      login: (row) => row('login'),
    },
  },
  moderation_log: {
    primaryKey: 'id',
    indexes: {
      log: (row) => r.expr([row('at'), row('id')]),
    },
  },
  revoked_tokens: {
    primaryKey: 'jti',
    indexes: {
      expiresAt: (row) => row('expiresAt'),
      accountId: (row) => row('accountId'),
    },
  },
  page_claims: { primaryKey: 'id', indexes: {} },
  notifications: {
    primaryKey: 'id',
    indexes: {
      recipientTime: (row) => r.expr([row('recipient'), row('createdAt'), row('id')]),
      recipientUnread: (row) => r.expr([row('recipient'), row('readAt').eq(null)]),
      recipient: (row) => row('recipient'),
      commentId: (row) => row('commentId'),
      postId: (row) => row('postId'),
      createdAt: (row) => row('createdAt'),
    },
  },
} satisfies Record<string, TableSpec>;

export type TableName = keyof typeof TABLES;

/** What RethinkDB said, also when the error came wrapped as the store's own. */
function said(error: unknown): string {
  const { message, cause } = (error ?? {}) as { message?: unknown; cause?: { message?: unknown } };
  return `${String(message)} ${String(cause?.message)}`;
}

/** RethinkDB answers "already exists" when another node created it first: that is success here. */
async function ignoreExisting(create: Promise<unknown>): Promise<void> {
  try {
    await create;
  } catch (error) {
    if (!/already exists/.test(said(error))) throw error;
  }
}

/** A query that failed because another node's creation or cleanup was under way: the next round settles it. */
const RACED = /ambiguous|does not exist|already exists/;
const ROUNDS = 5;
/** Server-side bound on waiting for a table; the query's own bound is longer. */
const WAIT_S = 60;

async function createMissing(db: RethinkdbConnection, layout: TableLayout): Promise<void> {
  const name = db.target.db;
  if (!(await db.run<string[]>(r.dbList())).includes(name)) await ignoreExisting(db.run(r.dbCreate(name), undefined, SCHEMA_QUERY_MS));
  await removeDuplicates(db, name, []);
  const existing = new Set(await db.run<string[]>(r.db(name).tableList()));
  await Promise.all(
    (Object.entries(TABLES) as [TableName, TableSpec][])
      .filter(([table]) => !existing.has(table))
      .map(([table, spec]) =>
        ignoreExisting(
          db.run(
            r.db(name).tableCreate(table, { primaryKey: spec.primaryKey, shards: layout.shards, replicas: layout.replicas }),
            undefined,
            SCHEMA_QUERY_MS,
          ),
        ),
      ),
  );
}

async function configure(db: RethinkdbConnection): Promise<void> {
  const name = db.target.db;
  await Promise.all(
    (Object.entries(TABLES) as [TableName, TableSpec][]).map(async ([table, spec]) => {
      const t = r.db(name).table(table);
      // A table just created (here or by another node) takes a moment before it accepts indexes and writes.
      await db.run(t.wait({ waitFor: 'ready_for_writes', timeout: WAIT_S }), undefined, SCHEMA_QUERY_MS);
      // An acknowledged write must survive losing a minority of the replicas.
      await db.run(t.config().update({ write_acks: 'majority', durability: 'hard' }), undefined, SCHEMA_QUERY_MS);
      const indexes = new Set(await db.run<string[]>(t.indexList()));
      for (const [index, fn] of Object.entries(spec.indexes)) {
        if (!indexes.has(index)) await ignoreExisting(db.run(t.indexCreate(index, fn), undefined, SCHEMA_QUERY_MS));
      }
      await db.run(t.indexWait(), undefined, LONG_QUERY_MS);
    }),
  );
}

/**
 * Creates the database, the tables (with `layout`, majority write acks and
 * hard durability) and the indexes that are missing, then waits until every
 * table is ready for writes. Safe to run from several nodes at once, through
 * different servers: copies created by a race are removed (duplicates.ts).
 */
export async function ensureSchema(db: RethinkdbConnection, layout: TableLayout): Promise<void> {
  const name = db.target.db;
  const tables = Object.keys(TABLES);
  for (let round = 1; ; round++) {
    try {
      await createMissing(db, layout);
      await removeDuplicates(db, name, tables);
      await configure(db);
      // Another node may have removed this node's copies meanwhile (and with them what this node configured).
      const removed = await removeDuplicates(db, name, tables);
      const present = new Set(await db.run<string[]>(r.db(name).tableList()));
      if ((!removed && tables.every((table) => present.has(table))) || round >= ROUNDS) break;
    } catch (error) {
      if (round >= ROUNDS || !RACED.test(said(error))) throw error;
    }
  }
  await db.run(r.db(name).wait({ waitFor: 'ready_for_writes', timeout: WAIT_S }), undefined, SCHEMA_QUERY_MS);
}
