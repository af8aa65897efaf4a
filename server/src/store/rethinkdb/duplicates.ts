import { type RethinkdbConnection, SCHEMA_QUERY_MS } from './connection.js';
import { r } from './reql.js';

interface Named {
  id: string;
  name: string;
}

const system = (table: string) => r.db('rethinkdb').table(table, { identifierFormat: 'uuid' });

/**
 * RethinkDB checks that a database or table name is free only on the server
 * that creates it: two nodes that create the same one at once through two
 * servers get two, and every query naming it then fails as ambiguous. Each
 * node keeps the one with the lowest id and deletes the others (all empty,
 * since no query could name them), so nodes that race agree on the survivor.
 * Returns whether any was deleted.
 */
export async function removeDuplicates(db: RethinkdbConnection, name: string, tables: string[]): Promise<boolean> {
  const databases = await db.run<Named[]>(system('db_config').filter({ name }).pluck('id', 'name').coerceTo('array'));
  const kept = lowest(databases);
  if (kept === undefined) return false;
  let removed = await drop(db, 'db_config', databases, kept);
  const all = await db.run<Named[]>(system('table_config').filter({ db: kept.id }).pluck('id', 'name').coerceTo('array'));
  for (const table of tables) {
    const copies = all.filter((entry) => entry.name === table);
    const keptTable = lowest(copies);
    if (keptTable && (await drop(db, 'table_config', copies, keptTable))) removed = true;
  }
  return removed;
}

function lowest(entries: Named[]): Named | undefined {
  return [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0];
}

async function drop(db: RethinkdbConnection, table: string, entries: Named[], kept: Named): Promise<boolean> {
  const extra = entries.filter((entry) => entry.id !== kept.id).map((entry) => entry.id);
  if (extra.length === 0) return false;
  await db.run(
    system(table)
      .getAll(...extra)
      .delete(),
    undefined,
    SCHEMA_QUERY_MS,
  );
  return true;
}
