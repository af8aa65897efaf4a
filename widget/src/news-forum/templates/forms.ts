import { html, nothing, type TemplateResult } from 'lit';
import type { FormKey } from '../controllers/forms-controller.js';
import type { Parts } from '../controllers/parts-controller.js';
import type { Ui } from '../ui.js';

/** The error of a form, if it has one, announced as it appears. */
function formError({ forms }: Parts, key: FormKey) {
  const { error } = forms;
  return error?.key === key ? html`<p class="form-error" role="alert">${error.message}</p>` : nothing;
}

/** The submit button: stays focusable while busy (aria-disabled), so keyboard focus is not lost. */
function submit({ forms }: Parts, key: FormKey, label: string, busyLabel: string) {
  const busy = forms.busy === key;
  return html`<button part="submit-button" class="primary" type="submit" aria-disabled=${String(busy)}>
    ${busy ? busyLabel : label}
  </button>`;
}

function cancel(ui: Ui) {
  return html`<button type="button" class="secondary" @click=${() => ui.view.setPanel(undefined)}>Cancel</button>`;
}

function signInForm(ui: Ui, parts: Parts): TemplateResult {
  return html`<form part="auth-form" class="panel" @submit=${(event: SubmitEvent) => parts.forms.signIn(event)} aria-label="Sign in">
    <label>Login <input name="login" autocomplete="username" required maxlength="64" data-focus="panel" /></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="256" /></label>
    ${formError(parts, 'sign-in')}
    <div class="row">
      ${submit(parts, 'sign-in', 'Sign in', 'Signing in…')} ${cancel(ui)}
      <button type="button" class="link" @click=${() => ui.view.setPanel('sign-up')}>Create an account</button>
    </div>
  </form>`;
}

function signUpForm(ui: Ui, parts: Parts): TemplateResult {
  return html`<form part="auth-form" class="panel" @submit=${(event: SubmitEvent) => parts.forms.signUp(event)} aria-label="Sign up">
    <label>
      Login
      <input name="login" autocomplete="username" data-focus="panel" required pattern="[a-z0-9][a-z0-9_\\-]{2,31}" aria-describedby="login-hint" />
    </label>
    <p class="hint" id="login-hint">3 to 32 characters: lowercase letters, digits, _ and -.</p>
    <label>Display name <span class="hint">(optional)</span> <input name="displayName" autocomplete="nickname" maxlength="64" /></label>
    <label>
      Password
      <input name="password" type="password" autocomplete="new-password" required minlength="8" maxlength="256" aria-describedby="password-hint" />
    </label>
    <p class="hint" id="password-hint">At least 8 characters.</p>
    ${formError(parts, 'sign-up')}
    <div class="row">
      ${submit(parts, 'sign-up', 'Sign up', 'Signing up…')} ${cancel(ui)}
      <button type="button" class="link" @click=${() => ui.view.setPanel('sign-in')}>I have an account</button>
    </div>
  </form>`;
}

function postForm(ui: Ui, parts: Parts): TemplateResult {
  return html`<form part="composer" class="panel" data-draft="post" @submit=${(event: SubmitEvent) => parts.forms.submitPost(event)} aria-label="Submit a post">
    <label>Title <input name="title" required maxlength="300" data-focus="panel" /></label>
    <label>Link <span class="hint">(optional)</span> <input name="url" type="url" pattern="https?://.+" maxlength="2048" placeholder="https://" /></label>
    <label>Text <span class="hint">(optional)</span> <textarea name="text" rows="4" maxlength="40000"></textarea></label>
    ${formError(parts, 'post')}
    <div class="row">${submit(parts, 'post', 'Submit', 'Submitting…')} ${cancel(ui)}</div>
  </form>`;
}

/** The form under a post (no parent) or under the comment it replies to. */
export function commentForm(ui: Ui, parts: Parts, parentId?: string): TemplateResult {
  const { forms } = parts;
  const key: FormKey = parentId ? `reply:${parentId}` : 'comment';
  // Keyed by the post, or by the page (before and after it has a post), so a comment's draft goes back where it was written.
  const draft = parentId ? key : `comment:${ui.page.url || parts.thread.id || ''}`;
  return html`<form part="composer" class="comment-form" data-draft=${draft} @submit=${(event: SubmitEvent) => forms.submitComment(event, parentId)}>
    <label>${parentId ? 'Your reply' : 'Add a comment'} <textarea name="text" rows="3" required maxlength="10000" data-focus=${parentId ? `reply-form:${parentId}` : 'comment-form'}></textarea></label>
    ${formError(parts, key)}
    <div class="row">
      ${submit(parts, key, parentId ? 'Reply' : 'Comment', 'Sending…')}
      ${parentId ? html`<button type="button" class="secondary" @click=${() => forms.setReplyTo(undefined)}>Cancel</button>` : nothing}
    </div>
  </form>`;
}

/** The form of the open panel. */
export function panelView(ui: Ui, parts: Parts): TemplateResult {
  const { panel } = ui.view;
  return panel === 'sign-in' ? signInForm(ui, parts) : panel === 'sign-up' ? signUpForm(ui, parts) : postForm(ui, parts);
}
