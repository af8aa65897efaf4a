import type { LivePost } from '@news-forum/sdk';
import { html, nothing, type TemplateResult } from 'lit';
import { count, timeAgo } from '../format.js';
import { httpUrl } from '../safe-url.js';
import type { Ui } from '../ui.js';

/** Up and down buttons around the score; pressed shows the reader's own vote. */
export function voteButtons(ui: Ui, post: LivePost): TemplateResult {
  const mine = ui.votes.of(post.id);
  const busy = String(ui.votes.sending(post.id));
  return html`<div class="votes">
    <button part="vote-button upvote-button" class="vote up" aria-pressed=${String(mine === 1)}
      aria-disabled=${busy} aria-label="Upvote: ${post.title}" @click=${() => ui.votes.cast(post, mine === 1 ? 0 : 1)}>
      <svg viewBox="0 0 10 10" aria-hidden="true"><path d="M5 1.5 9.5 8.5h-9z" /></svg>
    </button>
    <span part="score" class="score">${post.score}<span class="sr-only"> ${post.score === 1 ? 'point' : 'points'}</span></span>
    <button part="vote-button downvote-button" class="vote down" aria-pressed=${String(mine === -1)}
      aria-disabled=${busy} aria-label="Downvote: ${post.title}" @click=${() => ui.votes.cast(post, mine === -1 ? 0 : -1)}>
      <svg viewBox="0 0 10 10" aria-hidden="true"><path d="M5 8.5 9.5 1.5h-9z" /></svg>
    </button>
  </div>`;
}

/**
 * The title: a link when the post has an http(s) URL (and only then), else
 * a button that opens the post. Always text, never markup.
 */
export function postTitle(ui: Ui, post: LivePost): TemplateResult {
  const url = httpUrl(post.url);
  if (!url)
    return html`<button class="title link" part="title" data-focus="title:${post.id}" @click=${() => ui.view.open(post.id)}>${post.title}</button>`;
  return html`<a class="title" part="title" data-focus="title:${post.id}" href=${url.href} target="_blank" rel="noopener noreferrer nofollow ugc">${post.title}</a>
    <span class="domain">(${url.hostname.replace(/^www\./, '')})</span>`;
}

/** Author, age and the comments button. */
export function postMeta(ui: Ui, post: LivePost, extra: unknown = nothing): TemplateResult {
  return html`<div class="meta">
    <span>by ${post.author}</span>
    <time datetime=${post.createdAt} title=${new Date(post.createdAt).toLocaleString()}>${timeAgo(post.createdAt, ui.clock.now)}</time>
    <button class="link comments-link" part="comments-button" data-focus="comments:${post.id}" @click=${() => ui.view.open(post.id)}>${count(post.commentCount, 'comment')}</button>
    ${extra}
  </div>`;
}

/** One entry of the ranked list. */
export function postItem(ui: Ui, live: LivePost): TemplateResult {
  const post = ui.votes.show(live);
  return html`<li part="post" class="post" data-id=${post.id}>
    ${voteButtons(ui, post)}
    <div class="body">${postTitle(ui, post)} ${postMeta(ui, post)}</div>
  </li>`;
}
