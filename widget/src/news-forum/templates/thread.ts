import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { type CommentNode, commentTree } from '../comment-tree.js';
import type { Parts } from '../controllers/parts-controller.js';
import { describeError } from '../describe-error.js';
import { timeAgo } from '../format.js';
import type { Ui } from '../ui.js';
import { commentForm } from './forms.js';
import { commentEditForm, commentModeration, editedMark, hiddenBadge, lockedNotice, postEditForm, postModeration } from './moderation.js';
import { postMeta, postTitle, voteButtons } from './post.js';

/** Whether the reader may delete what `author` wrote. */
function canDelete(ui: Ui, author: string | undefined): boolean {
  const { user } = ui.session;
  return Boolean(user && (user.login === author || user.scopes.includes('delete')));
}

/** A delete button that asks once more before deleting. */
function deleteButton({ forms }: Parts, key: string, what: string, run: () => void): TemplateResult {
  if (forms.confirming !== key) {
    return html`<button class="link danger" part="delete-button" @click=${() => forms.confirm(key)}>Delete</button>`;
  }
  return html`<span class="confirm" role="group" aria-label="Delete this ${what}?">
    Delete this ${what}?
    <button class="danger" part="delete-button" data-focus="confirm:${key}" @click=${run}>Yes, delete</button>
    <button class="secondary" @click=${() => forms.confirm(undefined)}>Keep</button>
  </span>`;
}

function comment(ui: Ui, parts: Parts, { comment: c, replies }: CommentNode): TemplateResult | typeof nothing {
  const { forms, thread } = parts;
  if (thread.hidden.has(c.id)) return nothing;
  const replying = forms.replyTo === c.id;
  const { moderation } = parts;
  // A hidden comment reaches readers without its author, as a placeholder.
  const removed = c.hidden && c.author === undefined;
  return html`<li part="comment" class=${c.hidden ? 'comment hidden' : 'comment'} data-id=${c.id} data-focus="comment:${c.id}" tabindex="-1">
    <div class="meta">
      ${removed ? html`<em class="author">${c.hiddenBy === 'flags' ? '[hidden]' : '[removed]'}</em>` : html`<strong class="author">${c.author}</strong>`}
      <time datetime=${c.createdAt} title=${new Date(c.createdAt).toLocaleString()}>${timeAgo(c.createdAt, ui.clock.now)}</time>
      ${editedMark(c)} ${removed ? nothing : hiddenBadge(c)}
    </div>
    ${
      moderation.open === `edit:${c.id}`
        ? commentEditForm(moderation, c)
        : html`<p class=${removed ? 'text removed' : 'text'} part=${removed ? 'removed-comment' : 'comment-text'}>${c.text}</p>`
    }
    <div class="actions">
      ${commentModeration(moderation, c)}
      ${
        ui.session.user && !thread.post?.locked
          ? html`<button class="link reply" aria-expanded=${String(replying)} data-focus="reply:${c.id}" @click=${() => forms.setReplyTo(replying ? undefined : c.id)}>Reply</button>`
          : nothing
      }
      ${c.author !== undefined && canDelete(ui, c.author) ? deleteButton(parts, c.id, 'comment', () => thread.deleteComment(c)) : nothing}
    </div>
    ${replying ? commentForm(ui, parts, c.id) : nothing}
    ${replies.length ? commentList(ui, parts, replies) : nothing}
  </li>`;
}

function commentList(ui: Ui, parts: Parts, nodes: CommentNode[]): TemplateResult {
  return html`<ul class="comments" role="list">${repeat(
    nodes,
    (node) => node.comment.id,
    (node) => comment(ui, parts, node),
  )}</ul>`;
}

/** One post, its text, and its comments as threads. */
export function threadView(ui: Ui, parts: Parts): TemplateResult {
  const { thread } = parts;
  const back = ui.view.pinned ? nothing : html`<button class="link back" @click=${() => ui.view.back()}>← All posts</button>`;
  if (thread.state === 'error' && thread.error) {
    return html`<section class="thread" part="post-view">
      ${back}
      <p class="placeholder" role="alert">
        Could not load this post. <span>${describeError(thread.error)}</span>
        <button class="secondary retry" data-focus="retry" @click=${() => thread.retry()}>Try again</button>
      </p>
    </section>`;
  }
  if (thread.state !== 'ready' || !thread.post) {
    const text = thread.state === 'gone' ? 'This post does not exist any more.' : 'Loading…';
    return html`<section class="thread" part="post-view">${back}<p class="placeholder" tabindex="-1" data-focus="thread-placeholder">${text}</p></section>`;
  }
  const post = ui.votes.show(thread.post);
  // A page's discussion belongs to the page: its first commenter is no author who may delete it.
  const remove = canDelete(ui, post.pageUrl === undefined ? post.author : undefined)
    ? deleteButton(parts, post.id, 'post', () => thread.deletePost(post))
    : nothing;
  const comments = thread.comments;
  const reading = ui.presence.thread(post.id);
  return html`<section class="thread" part="post-view" aria-labelledby="thread-title">
    ${back}
    <article part="post" class="post open">
      ${voteButtons(ui, post)}
      <div class="body">
        ${
          parts.moderation.open === `edit:${post.id}`
            ? postEditForm(parts.moderation, post)
            : html`<h2 id="thread-title" tabindex="-1" data-focus="thread-title">${postTitle(ui, post)}</h2>
              ${postMeta(ui, post, remove)} ${editedMark(post)}
              ${post.text ? html`<p class="text">${post.text}</p>` : nothing}`
        }
        ${postModeration(parts.moderation, post)}
      </div>
    </article>
    ${reading ? html`<p part="presence" class="presence">${reading} reading this thread</p>` : nothing}
    <section class="discussion" aria-label="Comments">
      ${
        post.locked
          ? lockedNotice()
          : ui.session.user
            ? commentForm(ui, parts)
            : html`<p><button class="secondary" @click=${() => ui.view.setPanel('sign-in', 'Sign in to comment.', 'comment-form')}>Sign in to comment</button></p>`
      }
      ${
        comments === undefined
          ? html`<p class="placeholder">Loading comments…</p>`
          : comments.length === 0
            ? html`<p class="placeholder">No comments yet.</p>`
            : commentList(ui, parts, commentTree(comments))
      }
      ${
        thread.more
          ? html`<p>
            <button class="secondary more-comments" aria-disabled=${String(thread.loadingMore)} @click=${() => thread.showMore()}>
              ${thread.loadingMore ? 'Loading comments…' : 'Show more comments'}
            </button>
          </p>`
          : nothing
      }
    </section>
  </section>`;
}
