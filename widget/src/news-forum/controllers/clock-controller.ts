import { Controller } from './controller.js';

const TICK_MS = 30_000;

/** The time "3 minutes ago" is counted from, renewed every 30 s while the element is in the page. */
export class ClockController extends Controller {
  now = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;

  override hostConnected(): void {
    this.#timer = setInterval(() => {
      this.now = Date.now();
      this.changed();
    }, TICK_MS);
  }

  hostDisconnected(): void {
    clearInterval(this.#timer);
  }
}
