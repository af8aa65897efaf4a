import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Config, loadConfig } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import { DataDirInUseError } from '../store/data-dir-lock.js';
import { openStore, storeOptionsOf } from '../store/open-store.js';
import type { RowCounts, Store } from '../store/store.js';
import { readBackup, writeBackup } from './backup-file.js';
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

Both commands read STORE, DATA_DIR, DATABASE_URL and RETHINKDB_URL from the environment, like the server.`;

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
  const config = loadConfig(env);
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

/** `restore FILE`: returns the line to print. */
export async function restore(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  const config = loadConfig(env);
  const source = path.resolve(file);
  const { header, records } = await readBackup(source).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new Error(`${source} does not exist`);
    throw error;
  });
  let store: Store;
  try {
    store = await openConfigured(config);
  } catch (error) {
    if (error instanceof DataDirInUseError)
      throw new ConfigError('DATA_DIR', `${config.dataDir} is in use by a running node: stop it before restoring`);
    throw error;
  }
  const counts = await withStore(store, (opened) => opened.importRows(records));
  return `restored ${source} (taken ${header.takenAt} from a ${header.store} store): ${summary(counts)}; post counters recounted`;
}
