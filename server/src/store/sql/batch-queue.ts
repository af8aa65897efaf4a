import { performance } from 'node:perf_hooks';
import { eventLoopLoad, LOADED } from '../../loop-load.js';

/** The default `gatherBelow`: batches this long or longer are gathered by the event-loop turn alone, loaded or not. */
export const GATHER_BELOW = 3;

/** How a BatchQueue gathers its batches. */
export interface BatchOptions {
  /** Batches that may run at once. */
  slots: number;
  /** Items one batch holds at most. */
  max: number;
  /** Whether an item that finds a slot free waits for the end of the event-loop turn, and what else came in it. */
  defer: boolean;
  /**
   * With `defer`, on a loaded event loop (see eventLoopLoad), while batches
   * hold fewer than `gatherBelow` items and items come less than twice this
   * apart: how long an item that finds a slot free waits for others, in ms.
   * Requests that each bring one item come one per turn, and each batch costs
   * a statement whatever its size. An item that comes further apart from the
   * one before goes at the end of its turn: the wait would gather nothing.
   * 0 (the default): to the end of the turn, however loaded.
   */
  gatherMs?: number;
  /** With `gatherMs`: batches this long or longer are gathered by the turn alone. Default GATHER_BELOW. */
  gatherBelow?: number;
}

/**
 * Gathers work into batches for one statement each. An item that finds one of
 * `slots` free goes at once (`defer`: at the end of the event-loop turn, with
 * whatever else arrived in that turn, or `gatherMs` later on a loaded loop
 * whose batches stay small and whose items come close together); items that
 * arrive while every slot is busy wait and then go together. With PGlite a
 * statement runs synchronously, so nothing can arrive while one runs: only
 * `defer` gathers there.
 */
export class BatchQueue<T> {
  readonly #run: (batch: T[]) => Promise<void>;
  readonly #slots: number;
  readonly #max: number;
  readonly #defer: boolean;
  readonly #gatherMs: number;
  readonly #gatherBelow: number;
  #queue: T[] = [];
  #running = 0;
  #scheduled = false;
  #lastSize = 0;
  #pushedAt = Number.NEGATIVE_INFINITY;

  constructor(run: (batch: T[]) => Promise<void>, options: BatchOptions) {
    this.#run = run;
    this.#slots = options.slots;
    this.#max = options.max;
    this.#defer = options.defer;
    this.#gatherMs = options.gatherMs ?? 0;
    this.#gatherBelow = options.gatherBelow ?? GATHER_BELOW;
  }

  push(item: T): void {
    this.#queue.push(item);
    const now = performance.now();
    const gap = now - this.#pushedAt;
    this.#pushedAt = now;
    if (!this.#defer) this.#pump();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      const go = () => {
        this.#scheduled = false;
        this.#pump();
      };
      // Batches already several items long are gathered well enough by the turn: waiting would only leave the
      // loop idle (callers that wait for their answers before sending more). So would a wait for items that come
      // further apart than it lasts: on a node busy with other work (sends to many sockets), each waited for nothing.
      if (
        this.#gatherMs > 0 &&
        this.#lastSize < this.#gatherBelow &&
        this.#running < this.#slots &&
        gap < 2 * this.#gatherMs &&
        eventLoopLoad() >= LOADED
      )
        setTimeout(go, this.#gatherMs);
      else setImmediate(go);
    }
  }

  #pump(): void {
    while (this.#running < this.#slots && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#max);
      this.#lastSize = batch.length;
      this.#running++;
      // `run` answers every item of its batch itself, failures included.
      void this.#run(batch).finally(() => {
        this.#running--;
        this.#pump();
      });
    }
  }
}
