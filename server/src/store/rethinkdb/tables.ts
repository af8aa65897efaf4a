import type { RethinkdbConnection } from './connection.js';
import { r, type Term } from './reql.js';
import type { TableName } from './schema.js';

/** What every part of the adapter works with: the connection and the store's tables. */
export interface Context {
  db: RethinkdbConnection;
  table(name: TableName): Term;
  /** Posts whose counter update failed after its vote or comment was written: the background recount repairs them. */
  suspects: Set<string>;
  /** The vote of one account on one post being set on this node, by vote key: the next waits for it (votes.ts). */
  voting: Map<string, Promise<unknown>>;
}

export function context(db: RethinkdbConnection): Context {
  const database = r.db(db.target.db);
  return { db, table: (name) => database.table(name), suspects: new Set(), voting: new Map() };
}
