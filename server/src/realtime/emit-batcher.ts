import { eventLoopLoad, LOADED, SATURATED } from '../loop-load.js';

/** How an EmitBatcher sizes its windows. */
export interface BatchWindow {
  /** The longest a window lasts, in ms; 0 sends every item alone. */
  maxMs: number;
  /**
   * While the event loop has been busy less than 60 % of the time lately
   * (see eventLoopLoad), every item goes out at once, however long sending
   * takes. On a busier loop a window lasts this many times what the
   * send that opened it took, divided by the share of the time the loop was
   * free (up to `maxMs`): sending then takes at most 1 / (1 + costFactor) of
   * the time. On a saturated loop (busy 90 % of the time) windows last
   * `maxMs`. `Infinity`: every window lasts `maxMs`, whatever the load.
   */
  costFactor: number;
}

/**
 * Groups what is emitted to a room into batches, so that a room's sockets get
 * one message per window instead of one per change. A calm node sends every
 * item alone and at once. On a loaded one (see BatchWindow) the first item
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

  constructor(window: BatchWindow, send: (items: T[]) => void) {
    this.#window = window;
    this.#send = send;
  }

  push(item: T): void {
    if (this.#timer !== undefined) {
      this.#pending.push(item);
      return;
    }
    this.#open(this.#timed([item]));
  }

  /** Sends what waits and closes the window. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sendPending();
  }

  /** Sends `items`; returns the window that follows, in ms. */
  #timed(items: T[]): number {
    const started = performance.now();
    this.#send(items);
    const sendMs = performance.now() - started;
    const { maxMs, costFactor } = this.#window;
    if (costFactor === Number.POSITIVE_INFINITY) return maxMs;
    const load = eventLoopLoad();
    const cost = costFactor * sendMs;
    if (cost <= 0 || maxMs <= 0 || load < LOADED) return 0;
    return load >= SATURATED ? maxMs : Math.min(maxMs, cost / (1 - load));
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
