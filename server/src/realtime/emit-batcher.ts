/**
 * Groups what is emitted to a room into batches, so that a room's sockets get
 * one message per window instead of one per change: the first item after a
 * quiet spell is sent alone at once (no added latency when the room is calm)
 * and opens a window; the items pushed within it are sent together, in the
 * order they came, when it ends, and the next window opens only if that sent
 * something. Every item is sent once; `flush` sends what waits now (before a
 * resync, and on close).
 */
export class EmitBatcher<T> {
  readonly #windowMs: number;
  readonly #send: (items: T[]) => void;
  #pending: T[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(windowMs: number, send: (items: T[]) => void) {
    this.#windowMs = windowMs;
    this.#send = send;
  }

  push(item: T): void {
    if (this.#timer !== undefined) {
      this.#pending.push(item);
      return;
    }
    this.#send([item]);
    if (this.#windowMs > 0) this.#open();
  }

  /** Sends what waits and closes the window. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sendPending();
  }

  #open(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#sendPending()) this.#open();
    }, this.#windowMs).unref();
  }

  #sendPending(): boolean {
    if (this.#pending.length === 0) return false;
    const items = this.#pending;
    this.#pending = [];
    this.#send(items);
    return true;
  }
}
