import { RethinkdbStore, type RethinkdbStoreOptions } from './rethinkdb/rethinkdb-store.js';
import { parseRethinkdbUrl } from './rethinkdb/url.js';

export type { RethinkdbStore, RethinkdbStoreOptions };

/** The rethinkdb store on `url` (`rethinkdb://[user:password@]host:28015[,host…]/db`), schema created on open. */
export function openRethinkdbStore(url: string, options?: RethinkdbStoreOptions): Promise<RethinkdbStore> {
  const target = parseRethinkdbUrl(url);
  if (!target) return Promise.reject(new Error('RETHINKDB_URL is not rethinkdb://[user:password@]host[:port][,host[:port]…]/db'));
  return RethinkdbStore.open(target, options);
}
