import type { FeedItem, Store, Table } from '../../src/store/store.js';

/** Reads a change feed item by item; the test's timeout bounds every wait. */
export interface FeedReader<K extends Table> {
  next(): Promise<FeedItem<K>>;
  /** The next `count` items. */
  take(count: number): Promise<FeedItem<K>[]>;
  /** Items until `match` accepts one (included). */
  until(match: (item: FeedItem<K>) => boolean): Promise<FeedItem<K>[]>;
  stop(): Promise<void>;
}

export function readFeed<K extends Table>(store: Store, table: K, signal?: AbortSignal): FeedReader<K> {
  const iterator = store.changes(table, signal ? { signal } : {})[Symbol.asyncIterator]();
  const reader: FeedReader<K> = {
    async next() {
      const result = await iterator.next();
      if (result.done) throw new Error(`the ${table} feed ended`);
      return result.value;
    },
    async take(count) {
      const items: FeedItem<K>[] = [];
      while (items.length < count) items.push(await reader.next());
      return items;
    },
    async until(match) {
      const items: FeedItem<K>[] = [];
      for (;;) {
        const item = await reader.next();
        items.push(item);
        if (match(item)) return items;
      }
    },
    async stop() {
      await iterator.return?.();
    },
  };
  return reader;
}
