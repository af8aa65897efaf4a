import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { eventLoopLoad, LOADED, SATURATED } from '../loop-load.js';

/** How many of the last gaps between items tell how far apart items come. */
const GAPS = 3;
/** Less idle time than this, in ms, between two sends: the loop went from one to the work that led to the next. */
const NO_IDLE_MS = 1;

/** How an EmitBatcher sizes its windows. */
export interface BatchWindow {
  /** The longest a window lasts, in ms; 0 sends every item alone. */
  maxMs: number;
  /**
   * A window lasts this many times what the send that opened it took,
   * divided by the share of the time the event loop was free lately (see
   * eventLoopLoad), up to `maxMs`: sending then takes at most
   * 1 / (1 + costFactor) of the time. On a saturated loop (busy 90 % of the
   * time) windows last `maxMs`. On a loaded loop (busy 60 % of the time) a
   * send opens its window, unless items come further apart than half of it
   * (the median of the last three gaps): then, as on a loop less busy, the
   * window opens only for an item that comes within it before the loop has
   * idled since the send. Such an item was held back by the send, as the
   * work that leads to the next ones is, and they batch. The first such
   * item still goes out at once, loaded or not (it may be one change that
   * came late, as when a node busy with sends takes one vote's request
   * while sending the vote before); from the second in a row such items
   * wait. On a loop less busy it also opens the window behind it, which
   * catches the rest of a burst that starts on a quiet node. An item that
   * comes after the loop idled goes out at once, as the item before did: a
   * window would gather one item and only delay it.
   * `Infinity`: every window lasts `maxMs`, whatever the load.
   */
  costFactor: number;
}

/**
 * Groups what is emitted to a room into batches, so that a room's sockets get
 * one message per window instead of one per change. A calm node sends every
 * item alone and at once, but for the items of a burst that its sends hold
 * back. On a loaded one (see BatchWindow) the first item
 * after a quiet spell is still sent at once, and opens a window sized by what
 * that send took and how busy the loop is; the items pushed within it are sent
 * together, in the order they came, when it ends, and the next window opens
 * only if that sent something. Every item is sent once; `flush` sends what
 * waits now (before a resync, and on close).
 */
export class EmitBatcher<T> {
  readonly #window: BatchWindow;
  readonly #send: (items: T[]) => void;
  #pending: T[] = [];
  #timer: NodeJS.Timeout | undefined;
  // The last gaps between pushes, in ms, the oldest overwritten first. Unknown ones count as close together:
  // until it has seen items come apart, a batcher opens the windows the load asks for.
  readonly #gaps: number[] = new Array<number>(GAPS).fill(0);
  #gapIndex = 0;
  #pushedAt = Number.NEGATIVE_INFINITY;
  // The event loop's utilization when the last send ended: the idle time since then is read from it.
  #sentAt: EventLoopUtilization | undefined;
  // When the window that the last send declined would have ended: until then, an item that comes before the loop
  // idles was held back by the send.
  #declinedUntil = Number.NEGATIVE_INFINITY;
  // Whether the last item sent alone was held back by the send before it: the next held back waits.
  #heldBack = false;
  // Whether the loop was loaded when the last send ended.
  #sentLoaded = false;

  constructor(window: BatchWindow, send: (items: T[]) => void) {
    this.#window = window;
    this.#send = send;
  }

  push(item: T): void {
    const now = performance.now();
    this.#gaps[this.#gapIndex] = now - this.#pushedAt;
    this.#gapIndex = (this.#gapIndex + 1) % GAPS;
    this.#pushedAt = now;
    if (this.#timer !== undefined) {
      this.#pending.push(item);
      return;
    }
    const heldBack = now < this.#declinedUntil && this.#idleSinceSent() < NO_IDLE_MS;
    if (heldBack && this.#heldBack) {
      this.#pending.push(item);
      this.#open(this.#declinedUntil - now);
      return;
    }
    this.#heldBack = heldBack;
    const next = this.#timed([item]);
    // The first item held back goes out at once: it may be one change that came late. On a loop not yet loaded the
    // window behind it catches the rest of a burst from nothing. On a loaded one that window would mostly delay the
    // next change, which comes at the usual pace; the next held back waits, and the next after an idle spell does not.
    this.#open(next > 0 || !heldBack || this.#sentLoaded ? next : this.#declinedUntil - performance.now());
  }

  /** Sends what waits and closes the window. */
  flush(): void {
    this.#declinedUntil = Number.NEGATIVE_INFINITY;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sendPending();
  }

  /** Sends `items`; returns the window that follows, in ms. */
  #timed(items: T[]): number {
    this.#declinedUntil = Number.NEGATIVE_INFINITY;
    const started = performance.now();
    this.#send(items);
    const sentAt = performance.now();
    this.#sentAt = performance.eventLoopUtilization();
    const { maxMs, costFactor } = this.#window;
    if (costFactor === Number.POSITIVE_INFINITY) return maxMs;
    const load = eventLoopLoad();
    const cost = costFactor * (sentAt - started);
    if (cost <= 0 || maxMs <= 0) return 0;
    const windowMs = load >= SATURATED ? maxMs : Math.min(maxMs, cost / (1 - load));
    this.#sentLoaded = load >= LOADED;
    if (this.#sentLoaded && medianOf(this.#gaps) <= windowMs / 2) return windowMs;
    this.#declinedUntil = sentAt + windowMs;
    return 0;
  }

  #idleSinceSent(): number {
    return this.#sentAt ? performance.eventLoopUtilization(this.#sentAt).idle : Number.POSITIVE_INFINITY;
  }

  #open(ms: number): void {
    if (!(ms > 0)) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const next = this.#sendPending();
      if (next !== undefined) this.#open(next);
    }, ms).unref();
  }

  /** Sends what waits, if anything; returns the window that follows. */
  #sendPending(): number | undefined {
    if (this.#pending.length === 0) return undefined;
    const items = this.#pending;
    this.#pending = [];
    return this.#timed(items);
  }
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
