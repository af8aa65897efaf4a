import { StoreError } from './store-error.js';

/** A position in a keyset-ordered list: the sort keys of the last item returned. */
export type CursorKeys = readonly (string | number)[];

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Encodes the keys, tagged with the list they belong to, as base64url. */
export function encodeCursor(list: string, keys: CursorKeys): string {
  return Buffer.from(JSON.stringify([list, ...keys])).toString('base64url');
}

/**
 * Decodes a cursor of `list` whose keys match `kinds` (a value of `'string'`
 * or `'number'` per key, checked further by `valid`). Anything else is a
 * client error, never a database error.
 */
export function decodeCursor(
  cursor: string,
  list: string,
  kinds: readonly ('string' | 'number')[],
  valid: (keys: CursorKeys) => boolean = () => true,
): CursorKeys {
  let decoded: unknown;
  try {
    if (!BASE64URL.test(cursor)) throw new Error('not base64url');
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded[0] !== list || decoded.length !== kinds.length + 1) throw invalid();
  const keys = decoded.slice(1) as unknown[];
  const typed = keys.every((key, i) => (kinds[i] === 'number' ? typeof key === 'number' && Number.isFinite(key) : typeof key === 'string'));
  if (!typed || !valid(keys as CursorKeys)) throw invalid();
  return keys as CursorKeys;
}

function invalid(): StoreError {
  return new StoreError('invalid', 'Invalid cursor');
}
