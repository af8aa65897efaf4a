import { existsSync } from 'node:fs';
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { type Config, loadConfig } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import { DataDirInUseError } from '../store/data-dir-lock.js';
import { openStore, storeOptionsOf } from '../store/open-store.js';
import type { RowCounts, Store } from '../store/store.js';
import { checkBackup, readBackup, writeBackup } from './backup-file.js';
import { requestBackup } from './backup-socket.js';

export const USAGE = `Usage: news-forum-server [command]

Without a command, starts a node configured by the environment (see the README).

Commands:
  backup FILE    write a backup of the configured store to FILE (NDJSON), from one
                 consistent snapshot; safe while nodes serve traffic. With STORE=embedded
                 and a node running on DATA_DIR, that node writes it.
  restore FILE   load FILE into the configured store, which must be empty; stop the
                 embedded node on DATA_DIR first. Post counters are recounted.
  --help         this text

Both commands read STORE, DATA_DIR, DATABASE_URL, RETHINKDB_URL, RETHINKDB_SHARDS and RETHINKDB_REPLICAS from
the environment, like the server, and no other of its variables.`;

/** What the commands read of a node's environment: a node's other settings (PORT, TOKEN_TTL…) are not theirs to refuse. */
const STORE_VARIABLES = ['STORE', 'DATA_DIR', 'DATABASE_URL', 'RETHINKDB_URL', 'RETHINKDB_SHARDS', 'RETHINKDB_REPLICAS'];

function storeConfig(env: NodeJS.ProcessEnv): Config {
  return loadConfig(Object.fromEntries(STORE_VARIABLES.map((name) => [name, env[name]])));
}

function summary(counts: RowCounts): string {
  return [
    `${counts.users} users, ${counts.posts} posts, ${counts.comments} comments, ${counts.votes} votes`,
    `${counts.idempotencyKeys} idempotency keys, ${counts.notifications} notifications, ${counts.flags} flags`,
    `${counts.moderationLog} moderation log entries, ${counts.revokedTokens} revoked tokens`,
  ].join(', ');
}

function openConfigured(config: Config): Promise<Store> {
  return openStore(storeOptionsOf(config));
}

async function withStore<T>(store: Store, fn: (store: Store) => Promise<T>): Promise<T> {
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `backup FILE`: returns the line to print. */
export async function backup(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  const config = storeConfig(env);
  const target = path.resolve(file);
  // Opening a data directory that holds no database would create one, and back up nothing.
  if (config.store === 'embedded' && !existsSync(path.join(config.dataDir, 'pglite', 'PG_VERSION')))
    throw new ConfigError('DATA_DIR', `${config.dataDir} holds no news-forum database`);
  let counts: RowCounts;
  try {
    counts = await withStore(await openConfigured(config), async (store) => (await writeBackup(store, target)).counts);
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    try {
      counts = await requestBackup(config.dataDir, target);
    } catch (viaNode) {
      throw new ConfigError('DATA_DIR', `the node running on ${config.dataDir} did not write the backup: ${(viaNode as Error).message}`);
    }
  }
  return `backup written to ${target}: ${summary(counts)}`;
}

/**
 * What opening the embedded store on `dataDir` would create: the folders from the outermost one missing down to
 * `<dataDir>/pglite`, outermost first (none when the database folder exists).
 */
function missingFolders(dataDir: string): string[] {
  const missing: string[] = [];
  for (let folder = path.resolve(dataDir, 'pglite'); !existsSync(folder); folder = path.dirname(folder)) missing.unshift(folder);
  return missing;
}

/**
 * Removes what a failed restore created (`missingFolders()` before it opened the store): the data directory, or its
 * `pglite` folder when the data directory existed, with all in it; then the parents it created, if still empty.
 */
async function removeCreated(dataDir: string, created: string[]): Promise<void> {
  const own = path.resolve(dataDir);
  const outermost = created.find((folder) => folder === own || path.dirname(folder) === own);
  if (outermost === undefined) return;
  await rm(outermost, { recursive: true, force: true });
  for (const parent of created.slice(0, created.indexOf(outermost)).reverse()) {
    try {
      await rmdir(parent);
    } catch {
      return;
    }
  }
}

/** `restore FILE`: returns the line to print. */
export async function restore(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  const config = storeConfig(env);
  const source = path.resolve(file);
  const missingFile = (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new Error(`${source} does not exist`);
    throw error;
  };
  // The whole file first, as the import reads it: one cut short or corrupt after its header creates no database.
  await checkBackup(source).catch(missingFile);
  const { header, records } = await readBackup(source).catch(missingFile);
  const created = config.store === 'embedded' ? missingFolders(config.dataDir) : [];
  // Rows that do not fit the tables fail only in the import: what this command created goes, as if it never ran.
  const undo = async () => {
    if (created.length > 0) await removeCreated(config.dataDir, created).catch(() => undefined);
  };
  let store: Store;
  try {
    store = await openConfigured(config);
  } catch (error) {
    // The data directory existed, or the node holding it created it meanwhile: it stays as it is.
    if (error instanceof DataDirInUseError)
      throw new ConfigError('DATA_DIR', `${config.dataDir} is in use by a running node: stop it before restoring`);
    await undo();
    throw error;
  }
  let counts: RowCounts;
  try {
    counts = await withStore(store, (opened) => opened.importRows(records));
  } catch (error) {
    await undo();
    throw error;
  }
  return `restored ${source} (taken ${header.takenAt} from a ${header.store} store): ${summary(counts)}; post counters recounted`;
}
