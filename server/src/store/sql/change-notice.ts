import type { Table } from '../store.js';

/** One row of the change log as a notice carries it. */
export interface NoticeRow {
  seq: number;
  old_val: unknown;
  new_val: unknown;
}

/** What NOTIFY on the change channel announces (see migration 10). */
export interface ChangeNotice {
  /** The last `changes.seq` announced. */
  seq: number;
  /** The rows of the commit, in seq order, when they fitted in the payload; else they are read from the log. */
  rows?: {
    /** The log's epoch when they were written. */
    epoch: string;
    tbl: Table;
    /** change_stamp() of their created_at. */
    stamp: string;
    list: NoticeRow[];
  };
}

const TABLES: ReadonlySet<string> = new Set<Table>(['posts', 'comments']);

function noticeRow(value: unknown): NoticeRow | undefined {
  if (!Array.isArray(value) || value.length !== 3 || !Number.isSafeInteger(value[0])) return undefined;
  return { seq: value[0] as number, old_val: value[1] ?? null, new_val: value[2] ?? null };
}

/**
 * The notice a payload carries: a bare seq (changes too large for a payload,
 * or a writer older than migration 10), or the commit's changes as JSON.
 * Undefined for anything else, which tells only that the log changed.
 */
export function parseNotice(payload: string): ChangeNotice | undefined {
  if (!payload.startsWith('{')) {
    const seq = payload === '' ? Number.NaN : Number(payload);
    return Number.isSafeInteger(seq) ? { seq } : undefined;
  }
  let notice: { e?: unknown; t?: unknown; c?: unknown; r?: unknown };
  try {
    notice = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const { e: epoch, t: tbl, c: stamp, r: rows } = notice;
  if (!Array.isArray(rows) || rows.length === 0) return undefined;
  const list = rows.map(noticeRow);
  const last = list.at(-1);
  if (!last || list.some((row) => row === undefined)) return undefined;
  if (typeof epoch !== 'string' || typeof tbl !== 'string' || !TABLES.has(tbl) || typeof stamp !== 'string') return { seq: last.seq };
  return { seq: last.seq, rows: { epoch, tbl: tbl as Table, stamp, list: list as NoticeRow[] } };
}
