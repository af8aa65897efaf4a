import type { LiveStatus } from '@news-forum/sdk';
import { html, nothing, type TemplateResult } from 'lit';
import type { Ui } from '../ui.js';

const STATUS_TEXT: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Offline',
};

/** Title slot, connection state, and the account controls. */
export function header(ui: Ui): TemplateResult {
  const { user } = ui.session;
  const { status, problem } = ui.connection;
  const { panel } = ui.view;
  return html`<header part="header" class="header">
    <slot name="header"><span class="brand">Discussion</span></slot>
    <span part="status" class="status" data-status=${status} title=${problem ?? STATUS_TEXT[status]}>
      <span class="dot" aria-hidden="true"></span>${STATUS_TEXT[status]}
    </span>
    <span class="account">
      ${
        user
          ? html`<span class="who">Signed in as <strong>${user.displayName || user.login}</strong></span>
            ${ui.parts.loaded?.notificationsView() ?? nothing}
            <button class="primary" data-focus="open:post" aria-expanded=${String(panel === 'post')} @click=${() => ui.view.setPanel(panel === 'post' ? undefined : 'post')}>
              Submit a post
            </button>
            <button class="secondary" @click=${() => ui.session.signOut()}>Sign out</button>`
          : // No forum to sign in to: `api` names none (its error is shown).
            ui.session.forum &&
            html`<button class="secondary" data-focus="open:sign-in" aria-expanded=${String(panel === 'sign-in')} @click=${() => ui.view.setPanel(panel === 'sign-in' ? undefined : 'sign-in')}>
              Sign in
            </button>
            <button class="primary" data-focus="open:sign-up" aria-expanded=${String(panel === 'sign-up')} @click=${() => ui.view.setPanel(panel === 'sign-up' ? undefined : 'sign-up')}>
              Sign up
            </button>`
      }
    </span>
  </header>
  ${problem && status !== 'live' ? html`<p class="status-detail" part="status-detail">${problem}</p>` : nothing}`;
}
