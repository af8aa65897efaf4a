import { NewsForumError } from '@news-forum/sdk';
import type { TemplateResult } from 'lit';
import { emit } from '../../events/events.js';
import { describeError } from '../describe-error.js';
import { Controller } from './controller.js';
import type { FormsController } from './forms-controller.js';
import type { ModerationController } from './moderation-controller.js';
import type { NotificationsController } from './notifications-controller.js';
import type { ThreadController } from './thread-controller.js';

/** What the parts loaded on first use add to the element. */
export interface Parts {
  readonly forms: FormsController;
  readonly thread: ThreadController;
  readonly notifications: NotificationsController;
  /** Editing, flags and moderator actions in the thread. */
  readonly moderation: ModerationController;
  /** The open panel's form. */
  panelView(): TemplateResult;
  /** The opened post with its discussion. */
  threadView(): TemplateResult;
  /** The form for a comment on the post shown, or on the page before it has a post. */
  commentForm(): TemplateResult;
  /** A signed-in reader's replies: the unread badge and the list. */
  notificationsView(): TemplateResult;
}

/**
 * The parts a reader who only reads never needs (the forms, a post with
 * its discussion, a signed-in reader's notifications), loaded when first shown, as a module next to the bundle.
 * While they load the element says so; when they cannot be loaded it says
 * why and offers to try again.
 */
export class PartsController extends Controller {
  loaded: Parts | undefined;
  /** Why the parts could not be loaded, until the reader tries again. */
  error: NewsForumError | undefined;
  #loading = false;

  hostUpdate(): void {
    const { view } = this.ui;
    if ((view.panel || view.post || this.ui.session.user) && !this.error) this.load();
  }

  /** Loads the parts, unless they are loaded or loading ("Try again" too). */
  load(): void {
    if (this.loaded || this.#loading) return;
    this.#loading = true;
    // "Try again" gives way to "Loading…" at once: a click on the old button while this attempt runs would do nothing.
    if (this.error) {
      this.error = undefined;
      this.changed();
    }
    import('../parts.js')
      .then(({ attach }) => attach(this.host, this.ui))
      .then(
        (parts) => {
          this.#loading = false;
          this.loaded = parts;
          this.changed();
        },
        (cause: unknown) => {
          this.#loading = false;
          this.error = new NewsForumError('network_error', 'Could not load the rest of the forum', { cause });
          emit(this.host, 'news-forum-error', { action: 'load', message: describeError(this.error), error: this.error });
          this.changed();
        },
      );
  }
}
