import { Controller } from './controller.js';

/**
 * Content the server rendered into the element (`<div data-news-forum-prerendered>`,
 * see the server's pages): shown through the default slot, as readers
 * without JavaScript see it, until the element has its own, so it upgrades
 * in place instead of flashing "Loading…".
 */
export class PrerenderedController extends Controller {
  #done = false;

  /** Whether the server's content is shown in place of the element's own. */
  get showing(): boolean {
    if (this.#done) return false;
    const { view, front, parts, page } = this.ui;
    const state = parts.loaded?.thread.state;
    const ready = view.post
      ? state !== undefined && state !== 'loading'
      : page.active
        ? page.state !== 'looking'
        : front.posts !== undefined || front.error !== undefined;
    if (ready || !this.host.querySelector(':scope > [data-news-forum-prerendered]')) this.#done = true;
    return !this.#done;
  }
}
