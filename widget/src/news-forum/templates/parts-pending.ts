import { html, nothing, type TemplateResult } from 'lit';
import { describeError } from '../describe-error.js';
import type { Ui } from '../ui.js';

/**
 * In place of a part that loads on first use (a form, or an opened post):
 * that it is loading, or why it could not be loaded, with "Try again"; an
 * opened post keeps its way back to the list.
 */
export function partsPending(ui: Ui, inThread = false): TemplateResult {
  const { error } = ui.parts;
  const back = inThread && !ui.view.pinned ? html`<button class="link back" @click=${() => ui.view.back()}>← All posts</button>` : nothing;
  return error
    ? html`${back}<p class="placeholder" role="alert">
        Could not load this part of the forum. <span>${describeError(error)}</span>
        <button class="secondary" data-focus="retry" @click=${() => ui.parts.load()}>Try again</button>
      </p>`
    : html`${back}<p class="placeholder">Loading…</p>`;
}
