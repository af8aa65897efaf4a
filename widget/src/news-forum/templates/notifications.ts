import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Parts } from '../controllers/parts-controller.js';
import { timeAgo } from '../format.js';
import type { Ui } from '../ui.js';

/** The "Replies" button with the unread count, and the list it opens. */
export function notificationsView(ui: Ui, { notifications }: Parts): TemplateResult {
  const { items, unread, open } = notifications;
  // Escape closes the list, which floats over the forum, from the button or from inside it.
  return html`<span class="notifications" @keydown=${(event: KeyboardEvent) => open && event.key === 'Escape' && notifications.toggle(true)}>
    <button class="secondary" part="notifications-button" data-focus="replies" aria-expanded=${String(open)} aria-label=${`Replies to you, ${unread} unread`} @click=${() => notifications.toggle()}>
      Replies${unread ? html` <span part="unread-badge" class="unread-count" aria-hidden="true">${unread}</span>` : nothing}
    </button>
    ${
      open
        ? html`<div part="notifications" class="notification-list" role="region" aria-label="Replies to you">
          ${
            items.length === 0
              ? html`<p class="placeholder">No replies yet.</p>`
              : html`<ul role="list">${repeat(
                  items,
                  (n) => n.id,
                  (n) => html`<li class=${n.readAt ? 'read' : 'unread'} data-id=${n.id}>
                    <button class="link" @click=${() => notifications.show(n)}><strong>${n.actor}</strong> replied: ${n.excerpt}</button>
                    <time datetime=${n.createdAt}>${timeAgo(n.createdAt, ui.clock.now)}</time>
                  </li>`,
                )}</ul>`
          }
          ${unread ? html`<button class="link" @click=${() => notifications.markAll()}>Mark all read</button>` : nothing}
        </div>`
        : nothing
    }
  </span>`;
}
