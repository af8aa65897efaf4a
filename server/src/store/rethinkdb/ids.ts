import { ID_PATTERN } from '@news-forum/protocol';

// Ids are stored in lower case; upper-case input names the same post, as in PostgreSQL.
const UUID = new RegExp(ID_PATTERN.source, 'i');

/** An id in the store's spelling, or undefined when it cannot name anything. */
export function storedId(id: string): string | undefined {
  return UUID.test(id) ? id.toLowerCase() : undefined;
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A time as the store writes it (UTC, to the millisecond) that exists: not 30 February, which Date would roll over. */
export function isInstant(value: unknown): boolean {
  if (typeof value !== 'string' || !ISO_MS.test(value)) return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
}

/** A score the SQL stores can hold (a 32-bit integer): a cursor beyond it is refused on every store alike. */
export function isScore(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31;
}

export function isId(value: unknown): boolean {
  return typeof value === 'string' && UUID.test(value);
}
