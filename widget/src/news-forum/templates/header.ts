import type { LiveStatus } from '@news-forum/sdk';
import { html, nothing, type TemplateResult } from 'lit';
import type { Ui } from './ui.js';

const STATUS_TEXT: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Offline',
};

/** Title slot, connection state, and the account controls. */
export function header(ui: Ui, status: LiveStatus, problem: string | undefined): TemplateResult {
  const { user } = ui;
  const { panel } = ui.view;
  return html`<header part="header" class="header">
    <slot name="header"><span class="brand">Discussion</span></slot>
    <span part="status" class="status" data-status=${status} title=${problem ?? STATUS_TEXT[status]}>
      <span class="dot" aria-hidden="true"></span>${STATUS_TEXT[status]}
    </span>
    <span class="account">
      ${user
        ? html`<span class="who">Signed in as <strong>${user.displayName || user.login}</strong></span>
            <button class="primary" data-panel="post" aria-expanded=${panel === 'post' ? 'true' : 'false'} @click=${() => ui.setPanel(panel === 'post' ? undefined : 'post')}>
              Submit a post
            </button>
            <button class="secondary" @click=${ui.signOut}>Sign out</button>`
        : html`<button class="secondary" data-panel="sign-in" aria-expanded=${panel === 'sign-in' ? 'true' : 'false'} @click=${() => ui.setPanel(panel === 'sign-in' ? undefined : 'sign-in')}>
              Sign in
            </button>
            <button class="primary" data-panel="sign-up" aria-expanded=${panel === 'sign-up' ? 'true' : 'false'} @click=${() => ui.setPanel(panel === 'sign-up' ? undefined : 'sign-up')}>
              Sign up
            </button>`}
    </span>
  </header>
  ${problem && status !== 'live' ? html`<p class="status-detail" part="status-detail">${problem}</p>` : nothing}`;
}
