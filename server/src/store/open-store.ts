import type { Config } from '../config/config.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  kind: 'embedded' | 'postgres' | 'rethinkdb';
  /** Embedded: the data directory; the database lives in `<dataDir>/pglite`. */
  dataDir?: string | undefined;
  /** Postgres: a connection string, `postgres://user:pass@host:5432/db`. */
  databaseUrl?: string | undefined;
  /** RethinkDB: `rethinkdb://[user:password@]host:28015[,host…]/db`. */
  rethinkdbUrl?: string | undefined;
  /** RethinkDB: shards and replicas of the tables it creates (default 1 × 1). */
  rethinkdbLayout?: { shards: number; replicas: number } | undefined;
}

/** What a configuration says about its store, as `openStore` takes it. */
export function storeOptionsOf(
  config: Pick<Config, 'store' | 'dataDir' | 'databaseUrl' | 'rethinkdbUrl' | 'rethinkdbLayout'>,
): OpenStoreOptions {
  const { store: kind, dataDir, databaseUrl, rethinkdbUrl, rethinkdbLayout } = config;
  return { kind, dataDir, databaseUrl, rethinkdbUrl, rethinkdbLayout };
}

/**
 * Opens the configured store, creating or migrating its schema.
 *
 * @example
 * const store = await openStore({ kind: 'embedded', dataDir: './data' });
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  // Each adapter's driver is loaded only when it is used: PGlite alone costs a
  // node on PostgreSQL hundreds of milliseconds and megabytes.
  switch (options.kind) {
    case 'embedded': {
      if (!options.dataDir) throw new Error('The embedded store needs dataDir');
      const { openEmbeddedStore } = await import('./embedded.js');
      return openEmbeddedStore(options.dataDir);
    }
    case 'postgres': {
      if (!options.databaseUrl) throw new Error('The postgres store needs databaseUrl');
      const { openPostgresStore } = await import('./postgres.js');
      return openPostgresStore(options.databaseUrl);
    }
    case 'rethinkdb': {
      if (!options.rethinkdbUrl) throw new Error('The rethinkdb store needs rethinkdbUrl');
      const { openRethinkdbStore } = await import('./rethinkdb.js');
      return openRethinkdbStore(options.rethinkdbUrl, options.rethinkdbLayout ? { layout: options.rethinkdbLayout } : {});
    }
    default:
      throw new Error(`Unknown store kind ${String((options as { kind: unknown }).kind)}`);
  }
}
