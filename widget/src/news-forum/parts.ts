// The parts of <news-forum> loaded on first use (see PartsController): the
// forms, a post with its discussion and a signed-in reader's notifications, their controllers and their styles.
import { adoptStyles, type LitElement } from 'lit';
import { partStyles } from '../styles/parts.styles.js';
import type { ForumElement } from './controllers/controller.js';
import { FormsController } from './controllers/forms-controller.js';
import { ModerationController } from './controllers/moderation-controller.js';
import { NotificationsController } from './controllers/notifications-controller.js';
import type { Parts } from './controllers/parts-controller.js';
import { ThreadController } from './controllers/thread-controller.js';
import { commentForm, panelView } from './templates/forms.js';
import { notificationsView } from './templates/notifications.js';
import { threadView } from './templates/thread.js';
import type { Ui } from './ui.js';

/** Adds the parts to the element `host` whose jobs are `ui`. */
export function attach(host: ForumElement, ui: Ui): Parts {
  const root = host.renderRoot;
  if (root instanceof ShadowRoot) adoptStyles(root, [...(host.constructor as typeof LitElement).elementStyles, partStyles]);
  const forms = new FormsController(host, ui);
  const thread = new ThreadController(host, ui, forms);
  const notifications = new NotificationsController(host, ui);
  const moderation = new ModerationController(host, ui);
  const parts: Parts = {
    forms,
    thread,
    notifications,
    moderation,
    panelView: () => panelView(ui, parts),
    threadView: () => threadView(ui, parts),
    commentForm: () => commentForm(ui, parts),
    notificationsView: () => notificationsView(ui, parts),
  };
  return parts;
}
