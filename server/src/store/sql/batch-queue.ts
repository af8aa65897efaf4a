/**
 * Gathers work into batches for one statement each. An item that finds one of
 * `slots` free goes at once (`defer`: at the end of the event-loop turn, with
 * whatever else arrived in that turn); items that arrive while every slot is
 * busy wait and then go together. With PGlite a statement runs synchronously,
 * so nothing can arrive while one runs: only `defer` gathers there.
 */
export class BatchQueue<T> {
  readonly #run: (batch: T[]) => Promise<void>;
  readonly #slots: number;
  readonly #max: number;
  readonly #defer: boolean;
  #queue: T[] = [];
  #running = 0;
  #scheduled = false;

  constructor(run: (batch: T[]) => Promise<void>, options: { slots: number; max: number; defer: boolean }) {
    this.#run = run;
    this.#slots = options.slots;
    this.#max = options.max;
    this.#defer = options.defer;
  }

  push(item: T): void {
    this.#queue.push(item);
    if (!this.#defer) this.#pump();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#pump();
      });
    }
  }

  #pump(): void {
    while (this.#running < this.#slots && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#max);
      this.#running++;
      // `run` answers every item of its batch itself, failures included.
      void this.#run(batch).finally(() => {
        this.#running--;
        this.#pump();
      });
    }
  }
}
