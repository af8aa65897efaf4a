import type { Page, PageRequest } from './store.js';
import { StoreError } from './store-error.js';

const MAX_PAGE = 1000;

/** The page size asked for, capped; `invalid` when it is not a positive integer. */
export function pageSize(page: PageRequest): number {
  if (!Number.isInteger(page.limit) || page.limit < 1) throw new StoreError('invalid', 'Invalid page size');
  return Math.min(page.limit, MAX_PAGE);
}

/** Cuts the extra row fetched to learn whether another page follows. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
