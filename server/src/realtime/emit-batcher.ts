import { performance } from 'node:perf_hooks';
import { eventLoopLoad, LOADED, SATURATED } from '../loop-load.js';

/**
 * How many of the last gaps between items tell how far apart items come. Enough that the few items a stall piles up
 * (they come together once the loop runs again) do not pass for a stream of close ones.
 */
const GAPS = 7;

/** How an EmitBatcher sizes its windows. */
export interface BatchWindow {
  /** The longest a window lasts, in ms; 0 sends every item alone, at once. */
  maxMs: number;
  /**
   * A send that carried several items (a turn that brought them together),
   * and on a loaded event loop (busy 60 % of the time lately, see
   * eventLoopLoad) any send, opens a window that lasts this many times what
   * the send took, divided by the share of the time the loop was free
   * lately, up to `maxMs` (on a saturated loop, busy 90 % of the time,
   * `maxMs`): sending then takes at most 1 / (1 + costFactor) of the time.
   * A loaded loop's send of one item opens none if items come further apart
   * than half the window (the median of the last gaps between them): it
   * would gather one item and only delay it. A send of one item on a loop
   * less busy opens none either: what comes next goes out at the end of the
   * turn it came in. `Infinity`: every window lasts `maxMs`, whatever the
   * load.
   */
  costFactor: number;
}

/**
 * Groups what is emitted to a room into batches, so that a room's sockets get
 * one message per turn of the event loop, or per window in a burst or on a
 * loaded loop, instead of one per change. What is pushed goes out at the end
 * of the turn it was pushed in, with whatever else that turn pushed. A send
 * of several items, or any on a loaded loop (see BatchWindow), also opens a
 * window sized by what it took and how busy the loop is; the items pushed
 * within it are sent together, in the order they came, when it ends, and the
 * next window opens only if that sent something. A calm node that takes one
 * change at a time sends each alone and at once. Every item is sent once;
 * `flush` sends what waits now (before a resync, and on close).
 */
export class EmitBatcher<T> {
  readonly #window: BatchWindow;
  readonly #send: (items: T[]) => void;
  #pending: T[] = [];
  #timer: NodeJS.Timeout | undefined;
  #turnEnding = false;
  // The last gaps between pushes, in ms, the oldest overwritten first. Unknown ones count as close together:
  // until it has seen items come apart, a batcher opens the windows the load asks for.
  readonly #gaps: number[] = new Array<number>(GAPS).fill(0);
  #gapIndex = 0;
  #pushedAt = Number.NEGATIVE_INFINITY;

  constructor(window: BatchWindow, send: (items: T[]) => void) {
    this.#window = window;
    this.#send = send;
  }

  push(item: T): void {
    const now = performance.now();
    this.#gaps[this.#gapIndex] = now - this.#pushedAt;
    this.#gapIndex = (this.#gapIndex + 1) % GAPS;
    this.#pushedAt = now;
    this.#pending.push(item);
    if (this.#timer !== undefined) return;
    if (this.#window.maxMs <= 0) {
      this.#sendPending();
      return;
    }
    if (this.#turnEnding) return;
    this.#turnEnding = true;
    // After the promise jobs of this turn too: a feed hands a turn's changes on one promise job each.
    process.nextTick(() => {
      this.#turnEnding = false;
      if (this.#timer === undefined) this.#open(this.#sendPending());
    });
  }

  /** Sends what waits and closes the window. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sendPending();
  }

  #open(ms: number | undefined): void {
    if (ms === undefined || !(ms > 0)) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#open(this.#sendPending());
    }, ms).unref();
  }

  /** Sends what waits, if anything; returns the window that follows, in ms. */
  #sendPending(): number | undefined {
    if (this.#pending.length === 0) return undefined;
    const items = this.#pending;
    this.#pending = [];
    const started = performance.now();
    this.#send(items);
    const { maxMs, costFactor } = this.#window;
    if (costFactor === Number.POSITIVE_INFINITY) return maxMs;
    const cost = costFactor * (performance.now() - started);
    if (cost <= 0 || maxMs <= 0) return 0;
    const load = eventLoopLoad();
    const windowMs = load >= SATURATED ? maxMs : Math.min(maxMs, cost / (1 - load));
    // Several items in one turn: a burst, whose next turns likely bring more, or what a stall piled up.
    if (items.length > 1) return windowMs;
    if (load < LOADED) return 0;
    return medianOf(this.#gaps) <= windowMs / 2 ? windowMs : 0;
  }
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
