import type { Comment, LivePost } from '@news-forum/sdk';
import { html, nothing, type TemplateResult } from 'lit';
import type { Action, ModerationController, ModerationKey } from '../controllers/moderation-controller.js';

const REASONS = [
  ['spam', 'Spam'],
  ['abuse', 'Abusive'],
  ['off-topic', 'Off-topic'],
  ['other', 'Something else'],
] as const;

function toggleButton(m: ModerationController, key: ModerationKey, label: string): TemplateResult {
  return html`<button class="link" part="moderation-button" aria-expanded=${String(m.open === key)}
    data-focus="moderation-button:${key}" @click=${() => m.toggle(key)}>${label}</button>`;
}

/** What moderators see of a hidden item: flags hid it until one of them decides. */
export function hiddenBadge(item: Pick<LivePost, 'hidden' | 'hiddenBy'>): TemplateResult | typeof nothing {
  if (!item.hidden) return nothing;
  return html`<span class="badge" part="hidden-badge">${item.hiddenBy === 'flags' ? 'Hidden by flags' : 'Hidden'}</span>`;
}

/** Hide or Restore; an item flags hid takes both, hiding it being a moderator's decision to keep it hidden. */
function visibilityButtons(
  m: ModerationController,
  item: Pick<LivePost, 'hidden' | 'hiddenBy'>,
  noun: 'Post' | 'Comment',
  hide: Action,
  restore: Action,
): TemplateResult {
  const button = (label: string, run: Action, done: string) =>
    html`<button class="link" part="moderation-button" @click=${() => m.act(run, done)}>${label}</button>`;
  const hideButton = button('Hide', hide, `${noun} hidden.`);
  if (!item.hidden) return hideButton;
  const restoreButton = button('Restore', restore, `${noun} restored.`);
  return item.hiddenBy === 'flags' ? html`${hideButton} ${restoreButton}` : restoreButton;
}

/** Flag, or that this reader flagged it: flagging again would count nothing. "Flagged" takes the focus Flag had. */
function flagButton(m: ModerationController, id: string, key: ModerationKey): TemplateResult {
  return m.flagged.has(id)
    ? html`<span class="flagged" part="flagged" tabindex="-1" data-focus="moderation-button:${key}">Flagged</span>`
    : toggleButton(m, key, 'Flag');
}

function error(m: ModerationController): TemplateResult | typeof nothing {
  return m.error ? html`<p class="form-error" role="alert">${m.error}</p>` : nothing;
}

/** Stays focusable while an action is on its way (aria-disabled), so keyboard focus is not lost. */
function submit(m: ModerationController, label: string, kind = 'primary'): TemplateResult {
  return html`<button part="submit-button" type="submit" class=${kind} aria-disabled=${String(m.busy)}>${label}</button>`;
}

function cancel(m: ModerationController): TemplateResult {
  return html`<button type="button" class="secondary" @click=${() => m.toggle(undefined)}>Cancel</button>`;
}

/** "edited" after the time of an item changed since it was written. */
export function editedMark(item: { editedAt?: string | undefined }): TemplateResult | typeof nothing {
  return item.editedAt
    ? html`<span class="edited" part="edited" title=${`Edited ${new Date(item.editedAt).toLocaleString()}`}>(edited)</span>`
    : nothing;
}

/** Said instead of the comment form of a locked thread. */
export function lockedNotice(): TemplateResult {
  return html`<p class="notice locked" part="locked-notice" role="status">This thread is locked: it takes no new comments.</p>`;
}

function flagForm(m: ModerationController, key: ModerationKey, target: { postId: string; id?: string }): TemplateResult {
  return html`<form class="moderation-form" part="flag-form" @submit=${(event: SubmitEvent) => m.flag(event, target)}>
    <label>Why flag this? <select name="reason" data-focus="moderation:${key}">
      ${REASONS.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
    </select></label>
    ${error(m)}
    <div class="row">${submit(m, 'Flag')}${cancel(m)}</div>
  </form>`;
}

function banForm(m: ModerationController, key: ModerationKey, login: string): TemplateResult {
  return html`<form class="moderation-form" part="ban-form" @submit=${(event: SubmitEvent) => m.ban(event, login)}>
    <label>Ban ${login} for <select name="days" data-focus="moderation:${key}">
      <option value="1">a day</option><option value="7">a week</option><option value="30">a month</option>
      <option value="forever">good</option>
    </select></label>
    <label><input type="checkbox" name="hide"> Also hide their posts and comments</label>
    ${error(m)}
    <div class="row">${submit(m, 'Ban', 'danger')}${cancel(m)}</div>
  </form>`;
}

/** The post's edit form, in place of its title and text. */
export function postEditForm(m: ModerationController, post: LivePost): TemplateResult {
  return html`<form class="moderation-form" part="edit-form" @submit=${(event: SubmitEvent) => m.editPost(event, post)}>
    <label>Title <input name="title" required maxlength="300" .value=${post.title} data-focus="moderation:edit:${post.id}" /></label>
    <label>Text <textarea name="text" rows="4" maxlength="40000" .value=${post.text ?? ''}></textarea></label>
    ${error(m)}
    <div class="row">${submit(m, 'Save')}${cancel(m)}</div>
  </form>`;
}

/** The comment's edit form, in place of its text. */
export function commentEditForm(m: ModerationController, comment: Comment): TemplateResult {
  return html`<form class="moderation-form" part="edit-form" @submit=${(event: SubmitEvent) => m.editComment(event, comment)}>
    <label>Edit your comment <textarea name="text" rows="3" required maxlength="10000" .value=${comment.text}
      data-focus="moderation:edit:${comment.id}"></textarea></label>
    ${error(m)}
    <div class="row">${submit(m, 'Save')}${cancel(m)}</div>
  </form>`;
}

/** Edit, flag, and the moderator's controls of the opened post. */
export function postModeration(m: ModerationController, post: LivePost): TemplateResult {
  const flagKey: ModerationKey = `flag:${post.id}`;
  const banKey: ModerationKey = `ban:${post.id}`;
  return html`<div class="actions moderation" part="moderation">
    ${m.canEdit(post) ? toggleButton(m, `edit:${post.id}`, 'Edit') : nothing}
    ${m.canFlag(post) ? flagButton(m, post.id, flagKey) : nothing}
    ${
      m.moderator
        ? html`${post.flagCount ? html`<span class="flags" part="flag-count">${post.flagCount} ${post.flagCount === 1 ? 'flag' : 'flags'}</span>` : nothing}
          ${hiddenBadge(post)}
          ${visibilityButtons(
            m,
            post,
            'Post',
            (f, o) => f.moderation.hidePost(post.id, o),
            (f, o) => f.moderation.restorePost(post.id, o),
          )}
          <button class="link" part="moderation-button" @click=${() =>
            m.act(
              (f, o) => (post.locked ? f.moderation.unlockPost(post.id, o) : f.moderation.lockPost(post.id, o)),
              post.locked ? 'Thread unlocked.' : 'Thread locked.',
            )}>${post.locked ? 'Unlock' : 'Lock'}</button>
          ${toggleButton(m, banKey, 'Ban author')}`
        : nothing
    }
  </div>
  ${m.open === flagKey ? flagForm(m, flagKey, { postId: post.id }) : nothing}
  ${m.open === banKey ? banForm(m, banKey, post.author) : nothing}`;
}

/** Edit, flag, and the moderator's controls of one comment. */
export function commentModeration(m: ModerationController, comment: Comment): TemplateResult {
  const flagKey: ModerationKey = `flag:${comment.id}`;
  const banKey: ModerationKey = `ban:${comment.id}`;
  return html`${m.canEdit(comment) && !comment.hidden ? toggleButton(m, `edit:${comment.id}`, 'Edit') : nothing}
    ${m.canFlag(comment) && !comment.hidden ? flagButton(m, comment.id, flagKey) : nothing}
    ${
      m.moderator
        ? html`${comment.flagCount ? html`<span class="flags" part="flag-count">${comment.flagCount} ${comment.flagCount === 1 ? 'flag' : 'flags'}</span>` : nothing}
          ${visibilityButtons(
            m,
            comment,
            'Comment',
            (f, o) => f.moderation.hideComment(comment.postId, comment.id, o),
            (f, o) => f.moderation.restoreComment(comment.postId, comment.id, o),
          )}
          ${comment.author ? toggleButton(m, banKey, 'Ban author') : nothing}`
        : nothing
    }
    ${m.open === flagKey ? flagForm(m, flagKey, { postId: comment.postId, id: comment.id }) : nothing}
    ${m.open === banKey && comment.author ? banForm(m, banKey, comment.author) : nothing}`;
}
