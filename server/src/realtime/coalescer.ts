import type { Change } from '../store/store.js';

interface Versioned {
  id: string;
  version: number;
}

interface Pending<T> {
  old_val: T | null;
  new_val: T | null;
}

/**
 * Coalesces bursts of changes to one document (like RethinkDB's `squash`):
 * the first change of a document goes out at once and opens a window; the
 * changes inside the window are folded into one, carrying the latest
 * version, sent when the window closes. So the fan-out follows changed
 * documents, not writes, and no change waits longer than the window.
 */
export class Coalescer<T extends Versioned> {
  readonly #windowMs: number;
  readonly #emit: (change: Change<T>) => void;
  readonly #open = new Map<string, { timer: NodeJS.Timeout; pending: Pending<T> | undefined }>();

  constructor(windowMs: number, emit: (change: Change<T>) => void) {
    this.#windowMs = windowMs;
    this.#emit = emit;
  }

  push(change: Change<T>): void {
    const id = (change.new_val ?? change.old_val)?.id;
    if (id === undefined) return;
    if (this.#windowMs <= 0) {
      this.#emit(change);
      return;
    }
    const window = this.#open.get(id);
    if (!window) {
      this.#emit(change);
      this.#open.set(id, { timer: this.#timer(id), pending: undefined });
      return;
    }
    // Keep the state the client last saw as old_val, the newest as new_val.
    window.pending = { old_val: window.pending ? window.pending.old_val : change.old_val, new_val: change.new_val };
  }

  #timer(id: string): NodeJS.Timeout {
    return setTimeout(() => this.#close(id), this.#windowMs).unref();
  }

  #close(id: string): void {
    const window = this.#open.get(id);
    if (!window) return;
    if (!window.pending) {
      this.#open.delete(id);
      return;
    }
    const { old_val, new_val } = window.pending;
    window.pending = undefined;
    window.timer = this.#timer(id);
    // Created and deleted within one window: nothing happened that anyone saw.
    if (old_val === null && new_val === null) return;
    this.#emit({ old_val, new_val });
  }

  /** Sends what is pending now and stops the timers. */
  flush(): void {
    for (const [id, window] of [...this.#open]) {
      clearTimeout(window.timer);
      const pending = window.pending;
      this.#open.delete(id);
      if (pending && (pending.old_val !== null || pending.new_val !== null)) this.#emit(pending);
    }
  }
}
