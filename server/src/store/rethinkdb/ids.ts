import { ID_PATTERN } from '@news-forum/protocol';

// Ids are stored in lower case; upper-case input names the same post, as in PostgreSQL.
const UUID = new RegExp(ID_PATTERN.source, 'i');

/** An id in the store's spelling, or undefined when it cannot name anything. */
export function storedId(id: string): string | undefined {
  return UUID.test(id) ? id.toLowerCase() : undefined;
}

export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function isId(value: unknown): boolean {
  return typeof value === 'string' && UUID.test(value);
}
