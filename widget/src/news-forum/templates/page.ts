import { html, nothing, type TemplateResult } from 'lit';
import { describeError } from '../describe-error.js';
import type { Ui } from '../ui.js';
import { partsPending } from './parts-pending.js';

/** A page's discussion before it has a post: loading, why it failed, closed by a moderator, or the form for the first comment. */
export function pageView(ui: Ui): TemplateResult {
  const { page, parts, session } = ui;
  if (page.state === 'error' && page.error) {
    return html`<p class="placeholder" role="alert">
      Could not load the discussion. <span>${describeError(page.error)}</span>
      <button class="secondary" @click=${() => page.retry()}>Try again</button>
    </p>`;
  }
  if (page.state === 'closed') {
    // What the reader was writing when it closed, kept by the forms (by the page's comment form's data-draft, see commentForm).
    const unsent = parts.loaded?.forms.kept(`comment:${page.url}`);
    return html`<section class="discussion" aria-label="Comments">
      <p class="notice locked" part="locked-notice" role="status" tabindex="-1" data-focus="page-closed">
        A moderator closed this discussion: it takes no comments.
      </p>
      ${unsent ? html`<p>Your comment was not posted:</p><blockquote class="text">${unsent}</blockquote>` : nothing}
    </section>`;
  }
  if (page.state !== 'none') return html`<p class="placeholder">Loading…</p>`;
  return html`<section class="discussion" aria-label="Comments">
    ${
      session.user
        ? (parts.loaded?.commentForm() ?? partsPending(ui))
        : html`<p><button class="secondary" @click=${() => ui.view.setPanel('sign-in', 'Sign in to comment.', 'comment-form')}>Sign in to comment</button></p>`
    }
    <p class="placeholder">No comments yet.${session.user ? nothing : ' Be the first.'}</p>
  </section>`;
}
