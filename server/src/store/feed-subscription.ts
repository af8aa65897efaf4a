import type { FeedItem, Table } from './store.js';

/** A consumer that falls this far behind gets a reset instead of unbounded memory. */
const MAX_QUEUED = 10_000;

/** One consumer's queue. Ends on `end()` (abort, store close) or `return()` (break out of for-await). */
export class Subscription implements AsyncIterator<FeedItem<Table>> {
  #queue: FeedItem<Table>[] = [];
  #waiting: ((result: IteratorResult<FeedItem<Table>>) => void) | undefined;
  #ended = false;
  readonly #onAbort = () => this.end();

  constructor(
    readonly table: Table,
    private readonly signal: AbortSignal | undefined,
    private readonly onEnd: () => void,
  ) {
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  push(item: FeedItem<Table>): void {
    if (this.#ended) return;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = undefined;
      resolve({ value: item, done: false });
    } else if (this.#queue.length < MAX_QUEUED) {
      this.#queue.push(item);
    } else {
      this.#queue = [{ reset: true }];
    }
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queue = [];
    this.signal?.removeEventListener('abort', this.#onAbort);
    this.onEnd();
    this.#waiting?.({ value: undefined, done: true });
    this.#waiting = undefined;
  }

  next(): Promise<IteratorResult<FeedItem<Table>>> {
    const item = this.#queue.shift();
    if (item) return Promise.resolve({ value: item, done: false });
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  return(): Promise<IteratorResult<FeedItem<Table>>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }
}
