/** How an EmitBatcher sizes its windows. */
export interface BatchWindow {
  /** The longest a window lasts, in ms; 0 sends every item alone. */
  maxMs: number;
  /**
   * A window lasts this many times what the send that opened it took,
   * divided by the share of the time the event loop was free since the send
   * before (up to `maxMs`): on a calm node sending takes at most
   * 1 / (1 + costFactor) of the time and a change waits only when sending
   * each one alone would take more; on a saturated one windows last `maxMs`.
   * `Infinity`: every window lasts `maxMs`.
   */
  costFactor: number;
}

/**
 * Groups what is emitted to a room into batches, so that a room's sockets get
 * one message per window instead of one per change. The first item after a
 * quiet spell is sent alone at once and opens a window sized by what that send
 * took and how busy the event loop is (see BatchWindow): a calm room, or one
 * with few sockets, gets each change at once, and only a room whose sends would
 * otherwise follow each other closely, or a busy node, waits. The items pushed
 * within a window are sent together, in the order they came, when it ends, and
 * the next window opens only if that sent something. Every item is sent once;
 * `flush` sends what waits now (before a resync, and on close).
 */
export class EmitBatcher<T> {
  readonly #window: BatchWindow;
  readonly #send: (items: T[]) => void;
  #pending: T[] = [];
  #timer: NodeJS.Timeout | undefined;
  #loop = performance.eventLoopUtilization();

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
    const busy = performance.eventLoopUtilization(this.#loop).utilization;
    this.#loop = performance.eventLoopUtilization();
    const cost = costFactor * sendMs;
    const free = 1 - (Number.isFinite(busy) ? busy : 0);
    if (cost <= 0 || maxMs <= 0) return 0;
    return free > 0 ? Math.min(maxMs, cost / free) : maxMs;
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
