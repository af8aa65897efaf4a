import type { Compare } from '@news-forum/protocol';
import type { Page } from '../store/store.js';
import { type CachedBody, cachedBody } from './cached-body.js';

interface Versioned {
  id: string;
  version: number;
}

/**
 * The head of a list in its order: a page read from the store, kept current
 * by the changes that follow it. It holds every item that sorts at or before
 * its boundary (the last item of that page, or no boundary when the page was
 * the whole list), so a page that ends inside that range is answered exactly
 * as the store would answer it, cursor included. Past the boundary it
 * answers nothing and the caller asks the store.
 */
export class OrderedWindow<T extends Versioned> {
  readonly #compare: Compare<T>;
  readonly #cursorOf: (item: T) => string;
  readonly #capacity: number;
  readonly #maxBodies: number;
  #items: T[];
  #boundary: T | undefined;
  #cursors: Map<string, number> | undefined;
  readonly #bodies = new Map<string, CachedBody<Page<T>>>();

  /**
   * `page` must have been read with `limit: capacity`. Up to `maxBodies`
   * serialized pages are kept per content; more distinct (limit, cursor)
   * pairs are answered but serialized each time.
   */
  constructor(compare: Compare<T>, cursorOf: (item: T) => string, capacity: number, page: Page<T>, maxBodies = 16) {
    this.#compare = compare;
    this.#cursorOf = cursorOf;
    this.#capacity = capacity;
    this.#maxBodies = maxBodies;
    this.#items = [...page.items];
    this.#boundary = page.nextCursor === null ? undefined : page.items.at(-1);
  }

  get size(): number {
    return this.#items.length;
  }

  /** True when the window holds the whole list. */
  get complete(): boolean {
    return this.#boundary === undefined;
  }

  /** True when deletions and moves have left too few items to answer first pages: read it again. */
  get thin(): boolean {
    return !this.complete && this.#items.length < this.#capacity / 2;
  }

  /**
   * Applies one change (`old` null on insert, `next` null on delete).
   * Returns whether the window's content changed.
   */
  apply(old: T | null, next: T | null): boolean {
    const id = (next ?? old)?.id;
    if (id === undefined) return false;
    const at = this.#items.findIndex((item) => item.id === id);
    const held = at >= 0 ? this.#items[at] : undefined;
    if (held && next && held.version >= next.version) return false;
    if (held) this.#items.splice(at, 1);
    const enters = next !== null && (this.#boundary === undefined || this.#compare(next, this.#boundary) <= 0);
    if (next && enters) this.#items.splice(this.#insertionPoint(next), 0, next);
    if (!held && !enters) return false;
    if (this.#items.length > 2 * this.#capacity) {
      this.#items.length = this.#capacity;
      this.#boundary = this.#items.at(-1);
    }
    this.#cursors = undefined;
    this.#bodies.clear();
    return true;
  }

  /** The page after `cursor` (a cursor of an item held), or undefined when the window cannot answer it exactly. */
  page(limit: number, cursor: string | undefined): Page<T> | undefined {
    let start = 0;
    if (cursor !== undefined) {
      const at = this.#cursorIndex().get(cursor);
      if (at === undefined) return undefined;
      start = at + 1;
    }
    const end = start + limit;
    if (end < this.#items.length) return { items: this.#items.slice(start, end), nextCursor: this.#cursorOf(this.#items[end - 1] as T) };
    if (this.complete) return { items: this.#items.slice(start), nextCursor: null };
    return undefined;
  }

  /** Like `page`, serialized once per content of the window. */
  body(limit: number, cursor: string | undefined): CachedBody<Page<T>> | undefined {
    const key = `${limit} ${cursor ?? ''}`;
    const kept = this.#bodies.get(key);
    if (kept) return kept;
    const page = this.page(limit, cursor);
    if (!page) return undefined;
    const body = cachedBody(page);
    if (this.#bodies.size < this.#maxBodies) this.#bodies.set(key, body);
    return body;
  }

  #insertionPoint(item: T): number {
    let low = 0;
    let high = this.#items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#compare(this.#items[middle] as T, item) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #cursorIndex(): Map<string, number> {
    this.#cursors ??= new Map(this.#items.map((item, i) => [this.#cursorOf(item), i]));
    return this.#cursors;
  }
}
