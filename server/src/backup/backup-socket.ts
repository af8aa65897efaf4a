import { chmod, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import path from 'node:path';
import type { Logger } from '../logger.js';
import type { RowCounts, Store } from '../store/store.js';
import { writeBackup } from './backup-file.js';

/**
 * The socket in an embedded node's data directory through which
 * `news-forum-server backup` asks the running node for a backup: the node
 * holds the directory's lock, so nothing else may open its database. Only
 * who may read the data directory may use it (the socket is 0600).
 */
export function backupSocketPath(dataDir: string): string {
  return path.join(dataDir, 'backup.sock');
}

interface BackupReply {
  ok: boolean;
  counts?: RowCounts;
  error?: string;
}

const MAX_REQUEST = 64 * 1024;
/** The longest path a Unix socket may have on Linux (sun_path, less its NUL): longer, the kernel cuts it, elsewhere. */
const MAX_SOCKET_PATH_BYTES = 107;

/** Listens on the data directory's backup socket; one JSON line in (`{file}`), one JSON line out. */
export async function serveBackups(dataDir: string, store: Store, logger: Logger): Promise<{ close(): Promise<void> }> {
  const socketPath = backupSocketPath(dataDir);
  const bytes = Buffer.byteLength(socketPath);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new Error(
      `its path, ${socketPath}, is ${bytes} bytes, over the ${MAX_SOCKET_PATH_BYTES} a Unix socket may have: use a shorter DATA_DIR`,
    );
  }
  // Whoever left it is gone: this node holds the data directory's lock.
  await rm(socketPath, { force: true });
  const server: Server = createServer((connection) => {
    let request = '';
    connection.setEncoding('utf8');
    connection.on('error', () => undefined);
    connection.on('data', (chunk: string) => {
      request += chunk;
      if (request.length > MAX_REQUEST) connection.destroy();
      if (!request.includes('\n')) return;
      connection.pause();
      void answer(request.slice(0, request.indexOf('\n'))).then((reply) => connection.end(`${JSON.stringify(reply)}\n`));
    });
  });
  async function answer(line: string): Promise<BackupReply> {
    let file: unknown;
    try {
      file = (JSON.parse(line) as { file?: unknown }).file;
    } catch {
      return { ok: false, error: 'the request is not JSON' };
    }
    if (typeof file !== 'string' || !path.isAbsolute(file)) return { ok: false, error: 'the request names no absolute file' };
    try {
      const { counts } = await writeBackup(store, file);
      logger.info('backup written', { file, ...counts });
      return { ok: true, counts };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.warn('backup failed', { file, error: message });
      return { ok: false, error: message };
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  try {
    await chmod(socketPath, 0o600);
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Asks the node serving `dataDir` to write a backup to `file` (absolute); rejects with the node's reason. */
export function requestBackup(dataDir: string, file: string): Promise<RowCounts> {
  return new Promise((resolve, reject) => {
    const connection = createConnection(backupSocketPath(dataDir));
    let reply = '';
    connection.setEncoding('utf8');
    connection.on('connect', () => connection.write(`${JSON.stringify({ file })}\n`));
    connection.on('data', (chunk: string) => (reply += chunk));
    connection.on('error', reject);
    connection.on('end', () => {
      try {
        const parsed = JSON.parse(reply) as BackupReply;
        if (parsed.ok && parsed.counts) resolve(parsed.counts);
        else reject(new Error(parsed.error ?? 'the node gave no reason'));
      } catch {
        reject(new Error('the node closed the backup socket without an answer'));
      }
    });
  });
}
