import { isDeepStrictEqual } from 'node:util';
import { backoffDelay, wait } from '../../backoff.js';
import { Subscription } from '../feed-subscription.js';
import type { FeedItem, Table } from '../store.js';
import { type PostDoc, toPost } from './documents.js';
import type { Term } from './reql.js';
import type { Context } from './tables.js';

interface RawChange {
  old_val: unknown;
  new_val: unknown;
  type?: string;
}

/** The change as the API shows it, or null when it changed nothing the API shows (a rank fix-up). */
function toChange(table: Table, raw: RawChange): FeedItem<Table> | null {
  if (table === 'comments') return { old_val: raw.old_val ?? null, new_val: raw.new_val ?? null } as FeedItem<Table>;
  const old_val = toPost((raw.old_val as PostDoc | undefined) ?? null);
  const new_val = toPost((raw.new_val as PostDoc | undefined) ?? null);
  if (old_val !== null && new_val !== null && isDeepStrictEqual(old_val, new_val)) return null;
  return { old_val, new_val } as FeedItem<Table>;
}

/**
 * One RethinkDB `changes()` feed per table, opened with the store and shared
 * by every subscriber. A subscriber gets every change committed after it
 * subscribed (the feed is already running), and maybe one from just before.
 * When the feed fails (server lost, primary moved, connection closed) it is
 * reopened with backoff, and once it runs again every subscriber gets a
 * FeedReset: changes may have been missed in between.
 */
export class TableFeed {
  readonly #subscribers = new Set<Subscription>();
  readonly #closing = new AbortController();
  /** Rejects on close: a feed cursor's pending next() does not settle when the cursor is closed. */
  readonly #closed = new Promise<never>((_, reject) =>
    this.#closing.signal.addEventListener('abort', () => reject(new Error('closed')), { once: true }),
  );
  #cursor: Term | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly ctx: Context,
    readonly table: Table,
  ) {
    this.#closed.catch(() => undefined);
  }

  /** Whether the feed runs now: false while it is being reopened, when changes may be missed. */
  get running(): boolean {
    return this.#cursor !== undefined && !this.#closing.signal.aborted;
  }

  /** Opens the feed; resolves once RethinkDB has started it. */
  async open(): Promise<void> {
    this.#cursor = await this.#start();
    this.#running = this.#run();
  }

  subscribe(signal?: AbortSignal): AsyncIterable<FeedItem<Table>> {
    const subscription = new Subscription(this.table, signal, () => this.#subscribers.delete(subscription));
    if (this.#closing.signal.aborted || signal?.aborted) subscription.end();
    else this.#subscribers.add(subscription);
    return { [Symbol.asyncIterator]: () => subscription };
  }

  async close(): Promise<void> {
    this.#closing.abort();
    for (const subscription of this.#subscribers) subscription.end();
    await this.#cursor?.close().catch(() => undefined);
    await this.#running;
  }

  #start(): Promise<Term> {
    // squash stays off: the store promises every change, in order; the
    // socket relays coalesce bursts for clients themselves.
    return this.ctx.db.run<Term>(this.ctx.table(this.table).changes({ includeTypes: true }));
  }

  async #run(): Promise<void> {
    for (let attempt = 0; !this.#closing.signal.aborted; ) {
      try {
        if (!this.#cursor) {
          this.#cursor = await this.#start();
          attempt = 0;
          for (const subscription of this.#subscribers) subscription.push({ reset: true });
        }
        const raw = (await Promise.race([this.#cursor.next(), this.#closed])) as RawChange;
        if (raw.type === 'state' || raw.type === 'initial') continue;
        const change = toChange(this.table, raw);
        if (change) for (const subscription of this.#subscribers) subscription.push(change);
      } catch {
        if (this.#closing.signal.aborted) return;
        await this.#cursor?.close().catch(() => undefined);
        this.#cursor = undefined;
        await wait(backoffDelay(attempt++), this.#closing.signal);
      }
    }
  }
}
