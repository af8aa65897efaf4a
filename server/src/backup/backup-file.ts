import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { BACKUP_TABLES, type BackupRecord, type BackupTable, NO_ROWS, type RowCounts, type Store } from '../store/store.js';
import { StoreError } from '../store/store-error.js';

/** What a backup file is; a reader refuses any other format or a newer version. */
export const BACKUP_FORMAT = 'news-forum-backup';
export const BACKUP_VERSION = 1;

/** The first line of a backup file. */
export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  /** The kind of store it was taken from; any kind restores it. */
  store: string;
  /** The change-feed position of the snapshot (`epoch:seq`). */
  feedPosition: string;
  takenAt: string;
}

/** The last line: without it the file was cut short. */
interface BackupTrailer {
  end: true;
  counts: RowCounts;
}

// Tables added after the format: a file written before lists none of them.
const LATER: ReadonlySet<BackupTable> = new Set<BackupTable>(['notifications', 'flags', 'moderationLog', 'revokedTokens']);

function noRows(): RowCounts {
  return { ...NO_ROWS };
}

/**
 * Writes a backup of `store` to `file` as NDJSON: a header line, one line per
 * row ({table, row}), and a trailer with the counts. The rows come from one
 * snapshot; the file appears under its name only once complete (written
 * next to it, flushed to disk, then renamed).
 */
export async function writeBackup(store: Store, file: string): Promise<{ header: BackupHeader; counts: RowCounts }> {
  const target = path.resolve(file);
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`);
  const handle = await open(partial, 'w', 0o600);
  const counts = noRows();
  let header: BackupHeader | undefined;
  try {
    await store.exportRows({
      async begin({ feedPosition }) {
        header = { format: BACKUP_FORMAT, version: BACKUP_VERSION, store: store.kind, feedPosition, takenAt: new Date().toISOString() };
        await handle.write(`${JSON.stringify(header)}\n`);
      },
      async rows(batch) {
        for (const record of batch) counts[record.table]++;
        await handle.write(batch.map((record) => `${JSON.stringify(record)}\n`).join(''));
      },
    });
    await handle.write(`${JSON.stringify({ end: true, counts } satisfies BackupTrailer)}\n`);
    await handle.sync();
    await handle.close();
    await rename(partial, target);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
  return { header: header as BackupHeader, counts };
}

function invalid(line: number, problem: string): StoreError {
  return new StoreError('invalid', `line ${line} of the backup: ${problem}`);
}

function parse(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(line, 'not JSON');
  }
}

/**
 * Reads a backup file: resolves with its header and the rows to hand to
 * `Store.importRows()`. Iterating throws StoreError `invalid` on a line that
 * is not a row, and at the end when the trailer is missing or its counts
 * differ (a file cut short), so an import in progress is rolled back.
 */
export async function readBackup(file: string): Promise<{ header: BackupHeader; records: AsyncIterable<BackupRecord> }> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })[Symbol.asyncIterator]();
  const first = await lines.next();
  const header = (first.done ? undefined : parse(first.value, 1)) as Partial<BackupHeader> | undefined;
  if (header?.format !== BACKUP_FORMAT) {
    lines.return?.();
    throw invalid(1, `not a ${BACKUP_FORMAT} file`);
  }
  if (header.version !== BACKUP_VERSION) {
    lines.return?.();
    throw invalid(1, `format version ${String(header.version)} is not ${BACKUP_VERSION}`);
  }
  async function* records(): AsyncGenerator<BackupRecord> {
    const counts = noRows();
    let line = 1;
    let trailer: BackupTrailer | undefined;
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      line++;
      if (next.value.trim() === '') continue;
      if (trailer) throw invalid(line, 'rows after the end');
      const value = parse(next.value, line) as Partial<BackupRecord & BackupTrailer>;
      if (value.end === true) {
        trailer = value as BackupTrailer;
        continue;
      }
      if (!BACKUP_TABLES.includes(value.table as BackupTable) || typeof value.row !== 'object' || value.row === null)
        throw invalid(line, 'not a row');
      counts[value.table as BackupTable]++;
      yield value as BackupRecord;
    }
    if (!trailer) throw invalid(line, 'the file ends before its last line: it was cut short');
    for (const table of BACKUP_TABLES)
      if ((trailer.counts?.[table] ?? (LATER.has(table) ? 0 : undefined)) !== counts[table])
        throw invalid(line, `it lists ${trailer.counts?.[table]} ${table} but holds ${counts[table]}`);
  }
  return { header: header as BackupHeader, records: records() };
}

/**
 * Reads a whole backup file as `readBackup()` hands it to an import, without a
 * store: resolves with its header and the rows it holds, or throws what the
 * import would (StoreError `invalid` naming the line). A restore checks the
 * file first, so that a file cut short or corrupt creates no database.
 */
export async function checkBackup(file: string): Promise<{ header: BackupHeader; counts: RowCounts }> {
  const { header, records } = await readBackup(file);
  const counts = noRows();
  for await (const record of records) counts[record.table]++;
  return { header, counts };
}
