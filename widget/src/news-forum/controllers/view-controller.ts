import { Controller } from './controller.js';
import type { FocusTarget } from './focus-controller.js';

/** The panel under the header. */
export type Panel = 'sign-in' | 'sign-up' | 'post' | undefined;

/**
 * What the element shows: the list or one post with its discussion (the one
 * the `post` attribute pins, or the one the reader opened), and the panel
 * open under the header.
 */
export class ViewController extends Controller {
  panel: Panel;
  /** What the sign-in panel was opened for, where focus goes once the reader has signed in ("Sign in to comment": the comment form). */
  afterSignIn: FocusTarget | undefined;
  /** The post the reader opened from the list. */
  #opened: string | undefined;
  /** The post to return focus to when going back to the list. */
  #returnTo: string | undefined;
  /** The `post` attribute last seen: changing it closes what the reader opened. */
  #pinned = '';

  /** Id of the post shown with its discussion, if any. */
  get post(): string | undefined {
    return this.host.post || this.ui.page.postId || this.#opened;
  }

  /** Whether the host pinned the widget to one post (the `post` attribute). */
  get pinned(): boolean {
    return Boolean(this.host.post) || this.ui.page.active;
  }

  hostUpdate(): void {
    if (this.host.post === this.#pinned) return;
    this.#pinned = this.host.post;
    this.#opened = undefined;
  }

  /** Opens a post from the list. */
  open(id: string): void {
    this.#returnTo = this.#opened = id;
    this.ui.links.opened(id);
    this.changed();
    this.ui.focus.request('thread-title');
  }

  /** Shows the post the page's address names, or the list (see LinkController). */
  show(id: string | undefined): void {
    if (id === this.#opened) return;
    if (id) this.#returnTo = id;
    this.#opened = id;
    this.changed();
  }

  /** Back to the list, focusing the post that was open (or the order, when it is gone). */
  back(gone = false): void {
    this.#opened = undefined;
    this.ui.links.closed();
    if (gone) this.#returnTo = undefined;
    this.changed();
    const id = this.#returnTo;
    this.ui.focus.request(id ? `comments:${id}` : 'sort');
  }

  /** Opens a panel (or closes it, with undefined), with a `reason` shown above it, `afterSignIn` where focus goes once the reader signed in there. */
  setPanel(panel: Panel, reason?: string, afterSignIn?: FocusTarget): void {
    const was = this.panel;
    this.panel = panel;
    // Switching between signing in and signing up keeps what it is for; closing the panel forgets it.
    this.afterSignIn = afterSignIn ?? (panel === 'sign-in' || panel === 'sign-up' ? this.afterSignIn : undefined);
    this.ui.parts.loaded?.forms.set({ error: undefined });
    this.ui.notices.show(reason);
    if (panel) this.ui.focus.request('panel');
    // Closed (Cancel): back to the button that opens it.
    else if (was) this.ui.focus.request(`open:${was}`);
  }
}
