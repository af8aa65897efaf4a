import { Controller } from './controller.js';

const FRAGMENT = /^#nf-post=([0-9a-fA-F-]{36})$/;

/**
 * The opened post in the page's address (`#nf-post=<id>`): opening a post
 * adds a history entry, so Back returns to the list, and a shared link
 * opens that post. Only for an element that is not pinned to a post or page.
 */
export class LinkController extends Controller {
  /** Whether the entry of the opened post is one this element pushed (then "All posts" goes back to it). */
  #pushed = false;
  /** The post the address names, as last seen: other fragments (a page's own anchors) leave the view alone. */
  #linked: string | undefined;
  readonly #onPop = () => this.#follow();

  override hostConnected(): void {
    window.addEventListener('popstate', this.#onPop);
    this.#follow();
  }

  hostDisconnected(): void {
    window.removeEventListener('popstate', this.#onPop);
  }

  /** The reader opened a post. */
  opened(id: string): void {
    if (this.ui.view.pinned || location.hash === `#nf-post=${id}`) return;
    history.pushState(history.state, '', `#nf-post=${id}`);
    this.#pushed = true;
    this.#linked = id;
  }

  /** The reader went back to the list. */
  closed(): void {
    if (this.ui.view.pinned || !FRAGMENT.test(location.hash)) return;
    this.#linked = undefined;
    if (this.#pushed) {
      this.#pushed = false;
      history.back();
    } else history.replaceState(history.state, '', location.pathname + location.search);
  }

  /** Shows what the address says (on load, Back and Forward). */
  #follow(): void {
    if (this.ui.view.pinned) return;
    const id = FRAGMENT.exec(location.hash)?.[1]?.toLowerCase();
    if (!id && !this.#linked) return;
    if (!id) this.#pushed = false;
    this.#linked = id;
    this.ui.view.show(id);
  }
}
