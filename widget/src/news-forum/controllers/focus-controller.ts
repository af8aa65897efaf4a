import { Controller } from './controller.js';
import type { Panel } from './view-controller.js';

/**
 * The places focus is sent to, by name; templates mark each with
 * `data-focus`. Names ending in an id are per post or comment.
 */
export type FocusTarget =
  | 'comment-form'
  | 'page-closed'
  | 'panel'
  | 'replies'
  | 'retry'
  | 'sort'
  | 'thread-placeholder'
  | 'thread-title'
  | `comment:${string}`
  | `comments:${string}`
  | `confirm:${string}`
  | `open:${NonNullable<Panel>}`
  | `reply:${string}`
  | `reply-form:${string}`
  | `title:${string}`
  | `moderation:${string}`
  | `moderation-button:${string}`;

/**
 * Keeps keyboard focus on something that exists when what had it goes away:
 * a request names targets, and the first one rendered gets focus, at once
 * or after a later render (views may still be loading).
 */
export class FocusController extends Controller {
  #pending: readonly FocusTarget[] = [];

  /** Focuses the first of `targets` that is rendered, as soon as one is. */
  request(...targets: FocusTarget[]): void {
    this.#pending = targets;
    this.changed();
  }

  hostUpdated(): void {
    for (const name of this.#pending) {
      const target = this.host.renderRoot.querySelector<HTMLElement>(`[data-focus="${CSS.escape(name)}"]`);
      if (target) {
        this.#pending = [];
        target.focus();
        return;
      }
    }
  }
}
