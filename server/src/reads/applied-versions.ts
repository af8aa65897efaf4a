/** A deleted document: newer than any version. */
export const DELETED = Number.POSITIVE_INFINITY;

/**
 * The newest version of each document a read model has applied (DELETED once
 * deleted), for the most recent `capacity` documents. It drops stale and
 * replayed changes and tells waiting readers when a version arrives.
 */
export class AppliedVersions {
  readonly #versions = new Map<string, number>();
  readonly #waiters = new Set<() => void>();
  readonly #capacity: number;

  constructor(capacity = 100_000) {
    this.#capacity = capacity;
  }

  /** The version applied, or -1 when unknown (never seen, or forgotten). */
  get(id: string): number {
    return this.#versions.get(id) ?? -1;
  }

  record(id: string, version: number): void {
    // Re-inserting keeps the most recently changed documents when the map is full.
    this.#versions.delete(id);
    this.#versions.set(id, version);
    if (this.#versions.size > this.#capacity) this.#versions.delete(this.#versions.keys().next().value as string);
    for (const wake of this.#waiters) wake();
  }

  /** Resolves on the next `record` or `wake`, or after `ms`. */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  /**
   * Forgets every version: the model is read again from a store that may
   * have lost commits it applied (a crash with asynchronous commit, a
   * failover), whose versions new writes then reuse.
   */
  clear(): void {
    this.#versions.clear();
  }

  /** Wakes every waiter (the model was reloaded). */
  wake(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}
