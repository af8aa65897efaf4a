// `never[]` because each event has its own parameter list: any function is assignable to it.
type EventMap<E> = { [K in keyof E]: (...args: never[]) => void };

/**
 * Minimal typed event emitter (the SDK runs in browsers, so no node:events).
 * A listener that throws does not stop the others; its error is rethrown
 * asynchronously, as `EventTarget` does.
 */
export class Emitter<E extends EventMap<E>> {
  readonly #listeners = new Map<keyof E, Set<E[keyof E]>>();

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    const entry = (...args: Parameters<E[K]>) => listener(...args);
    set.add(entry as E[K]);
    return () => {
      set.delete(entry as E[K]);
      if (set.size === 0 && this.#listeners.get(event) === set) this.#listeners.delete(event);
    };
  }

  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Listeners of `event`, or of all events when omitted. */
  count(event?: keyof E): number {
    if (event !== undefined) return this.#listeners.get(event)?.size ?? 0;
    let total = 0;
    for (const set of this.#listeners.values()) total += set.size;
    return total;
  }
}
