import type { FeedItem, Store, Table } from '../../src/store/store.js';

/** A real store whose change feed can be held back, as a slow or lagging feed would be. */
export interface HeldFeedStore {
  store: Store;
  /** Changes committed from now on reach the node only after `release()`. */
  hold(): void;
  release(): void;
}

export function holdableFeed(target: Store): HeldFeedStore {
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  async function* held<K extends Table>(table: K, options?: { signal?: AbortSignal }): AsyncGenerator<FeedItem<K>> {
    for await (const item of target.changes(table, options)) {
      while (gate) await gate.promise;
      yield item;
    }
  }
  const store = new Proxy(target, {
    get(object, property) {
      if (property === 'changes') return held;
      const value = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
  return {
    store,
    hold() {
      let open = () => {};
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate ??= { promise, open };
    },
    release() {
      const opened = gate;
      gate = undefined;
      opened?.open();
    },
  };
}
