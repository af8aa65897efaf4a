import { Controller } from './controller.js';

/** What the reader is told: a visible notice, and the polite live region for screen readers. */
export class NoticesController extends Controller {
  /** The message shown under the header, if any. */
  notice: { text: string; error: boolean } | undefined;
  /** The live region's text. */
  announcement = '';
  #frame = 0;

  /** Shows `text` under the header (or nothing, when undefined). */
  show(text?: string, error = false): void {
    this.notice = text === undefined ? undefined : { text, error };
    this.changed();
  }

  /**
   * Says `text` through the live region: emptied first, then set on the next
   * frame, so that a repeated message is a change screen readers announce.
   */
  announce(text: string): void {
    this.announcement = '';
    cancelAnimationFrame(this.#frame);
    this.#frame = requestAnimationFrame(() => {
      this.announcement = text;
      this.changed();
    });
    this.changed();
  }

  hostDisconnected(): void {
    cancelAnimationFrame(this.#frame);
  }
}
