import { rm } from 'node:fs/promises';
import type { ReadOptions } from '../../src/reads/read-models.js';
import { type RunningServer, startServer } from '../../src/server.js';
import type { FeedItem, Store, Table } from '../../src/store/store.js';
import { eventually } from '../support/live-client.js';
import { FLAG_ANY_AGE, RELAXED_LIMITS, TEST_PASSWORD_COST, TEST_SECRET, tempDir } from '../support/server.js';

/** A real store whose change feed can be held back or lose changes, as a slow or broken feed would. */
export interface HeldFeedStore {
  store: Store;
  /** Changes committed from now on reach the node only after `release()`. */
  hold(): void;
  release(): void;
  /** Changes committed from now on never reach the node… */
  drop(): void;
  /** …until this: the next change is preceded by a reset, as the feed announces lost changes. */
  resetAndResume(): void;
}

export function holdableFeed(target: Store): HeldFeedStore {
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  let dropping = false;
  let resets = 0;
  async function* held<K extends Table>(table: K, options?: { signal?: AbortSignal }): AsyncGenerator<FeedItem<K>> {
    let announced = resets;
    for await (const item of target.changes(table, options)) {
      while (gate) await gate.promise;
      if (dropping) continue;
      if (announced !== resets) {
        announced = resets;
        yield { reset: true };
      }
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
    drop() {
      dropping = true;
    },
    resetAndResume() {
      dropping = false;
      resets++;
    },
  };
}

/** A node on `store` (a held feed's) with a data directory of its own; `close()` stops it and removes the directory. */
export async function startNodeOn(store: Store, reads: Partial<ReadOptions> = {}): Promise<RunningServer & { stop(): Promise<void> }> {
  const dir = await tempDir();
  const node = await startServer({
    env: { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', ...FLAG_ANY_AGE },
    store,
    passwordCost: TEST_PASSWORD_COST,
    limits: RELAXED_LIMITS,
    strictResponses: true,
    reads,
  });
  // Ready: its change feed hears commits, so what memory holds follows them from here on.
  await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 200, 30_000, 'the node to be ready');
  return Object.assign(node, {
    async stop() {
      await node.close();
      await rm(dir, { recursive: true, force: true });
    },
  });
}
