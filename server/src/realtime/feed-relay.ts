import type { LivePost } from '@news-forum/protocol';
import { backoffDelay, wait } from '../backoff.js';
import type { Logger } from '../logger.js';
import type { FeedItem, Store, StoredComment, Table } from '../store/store.js';
import { Coalescer } from './coalescer.js';

export interface RelayTargets {
  posts(change: { old_val: LivePost | null; new_val: LivePost | null }): void;
  comments(postId: string, change: { old_val: StoredComment | null; new_val: StoredComment | null }): void;
  /** The feed may have missed changes (`rewound`: the database went back, see FeedReset): subscribers must take a new snapshot. */
  reset(table: Table, rewound: boolean): void;
}

/**
 * Reads the store's change feed of one table and hands each change to the
 * targets, coalesced per document. If the feed fails it is reopened with
 * backoff and subscribers are told to resync, so no gap goes unnoticed.
 */
export class FeedRelay {
  readonly #abort = new AbortController();
  readonly #done: Promise<void>;
  #healthy = false;

  constructor(store: Store, table: Table, targets: RelayTargets, options: { coalesceMs: number; logger: Logger }) {
    const coalescer =
      table === 'posts'
        ? new Coalescer<LivePost>(options.coalesceMs, (change) => targets.posts(change))
        : new Coalescer<StoredComment>(options.coalesceMs, (change) => {
            // Never both null: the coalescer drops what was created and deleted within one window.
            const comment = change.new_val ?? change.old_val;
            if (comment) targets.comments(comment.postId, change);
          });
    this.#done = this.#run(store, table, coalescer as Coalescer<LivePost | StoredComment>, targets, options.logger);
  }

  /** Whether the feed is open now. */
  get healthy(): boolean {
    return this.#healthy;
  }

  async #run(
    store: Store,
    table: Table,
    coalescer: Coalescer<LivePost | StoredComment>,
    targets: RelayTargets,
    logger: Logger,
  ): Promise<void> {
    const { signal } = this.#abort;
    for (let attempt = 0; !signal.aborted; attempt += 1) {
      try {
        this.#healthy = true;
        for await (const item of store.changes(table, { signal }) as AsyncIterable<FeedItem<Table>>) {
          attempt = 0;
          if ('reset' in item) {
            coalescer.flush();
            targets.reset(table, item.rewound === true);
          } else coalescer.push(item);
        }
      } catch (error) {
        if (signal.aborted) break;
        logger.warn('change feed failed; reopening', { table, error: error instanceof Error ? error.message : String(error) });
      }
      this.#healthy = false;
      if (signal.aborted) break;
      coalescer.flush();
      targets.reset(table, false);
      await wait(backoffDelay(attempt), signal);
    }
    coalescer.flush();
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }
}
