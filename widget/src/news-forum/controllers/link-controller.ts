import { Controller } from './controller.js';

const FRAGMENT = /^#nf-post=([0-9a-fA-F-]{36})$/;
/** The member of `history.state` that names the element an entry belongs to. */
const MARKER = 'newsForum';

/** The element `history.state` names, if it names one. */
function markerOf(state: unknown): string | undefined {
  const name = typeof state === 'object' && state !== null ? (state as Record<string, unknown>)[MARKER] : undefined;
  return typeof name === 'string' ? name : undefined;
}

/**
 * The opened post in the page's address (`#nf-post=<id>`): opening a post
 * adds a history entry, so Back returns to the list, and a shared link
 * opens that post. Only for an element that is not pinned to a post or page.
 * With several such elements on a page, each entry names the element that
 * pushed it (its `id`, else its place among them), and only that one follows
 * it; an entry that names none (a shared link) belongs to the first of them.
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
    if (this.ui.view.pinned || (this.#owns() && location.hash === `#nf-post=${id}`)) return;
    const state: unknown = history.state;
    history.pushState({ ...(typeof state === 'object' && state), [MARKER]: this.#name() }, '', `#nf-post=${id}`);
    this.#pushed = true;
    this.#linked = id;
  }

  /** The reader went back to the list. */
  closed(): void {
    if (this.ui.view.pinned) return;
    this.#linked = undefined;
    // The address shows another element's post (opened since): that entry is not this element's to undo.
    if (!FRAGMENT.test(location.hash) || !this.#owns()) {
      this.#pushed = false;
      return;
    }
    if (this.#pushed) {
      this.#pushed = false;
      history.back();
    } else history.replaceState(history.state, '', location.pathname + location.search);
  }

  /** This element's name in history entries: its `id`, else its place among the page's unpinned elements. */
  #name(): string {
    return this.host.id || String(this.#place());
  }

  #place(): number {
    const unpinned = [...document.querySelectorAll('news-forum')].filter((element) => !element.post && typeof element.page !== 'string');
    return unpinned.indexOf(this.host as (typeof unpinned)[number]);
  }

  /** Whether the current history entry is this element's: it names it, or it names none and this is the first. */
  #owns(): boolean {
    const name = markerOf(history.state);
    return name === undefined ? this.#place() === 0 : name === this.#name();
  }

  /** Shows what the address says (on load, Back and Forward). */
  #follow(): void {
    if (this.ui.view.pinned) return;
    const id = this.#owns() ? FRAGMENT.exec(location.hash)?.[1]?.toLowerCase() : undefined;
    if (!id && !this.#linked) return;
    if (!id) this.#pushed = false;
    this.#linked = id;
    this.ui.view.show(id);
  }
}
