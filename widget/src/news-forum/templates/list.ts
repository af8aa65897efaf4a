import { POST_SORTS, type PostSort } from '@news-forum/sdk';
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { describeError } from '../describe-error.js';
import { count } from '../format.js';
import type { Ui } from '../ui.js';
import { postItem } from './post.js';

const LABELS: Record<PostSort, string> = { hot: 'Hot', new: 'New', top: 'Top' };

/** The ranked list, with its sort buttons and the "show new posts" button. */
export function listView(ui: Ui): TemplateResult {
  const { front } = ui;
  const { posts, waiting, error } = front;
  return html`<section class="list" aria-label="Posts">
    <div class="toolbar">
      <div class="sorts" role="group" aria-label="Order">
        ${POST_SORTS.map((sort) => {
          const pressed = front.sort === sort;
          return html`<button class="sort" aria-pressed=${String(pressed)} data-focus=${pressed ? 'sort' : nothing} @click=${() => front.setSort(sort)}>${LABELS[sort]}</button>`;
        })}
      </div>
      ${ui.presence.front ? html`<span part="presence" class="presence">${ui.presence.front} reading now</span>` : nothing}
      ${
        waiting
          ? html`<button part="new-posts-button" class="new-posts" @click=${() => front.showWaiting()}>
            Show ${count(waiting, 'new post')}
          </button>`
          : nothing
      }
    </div>
    ${
      posts === undefined
        ? error
          ? html`<p class="placeholder" role="alert">
            Could not load the posts. <span>${describeError(error)}</span> <button class="secondary" @click=${() => front.reload()}>Try again</button>
          </p>`
          : html`<p class="placeholder">Loading…</p>
            <div class="reserve" aria-hidden="true">${Array.from({ length: front.limit }, () => html`<div></div>`)}</div>`
        : nothing
    }
    <ol part="post-list" class="posts" role="list">${repeat(
      posts ?? [],
      (post) => post.id,
      (post) => postItem(ui, post),
    )}</ol>
    <div class="empty" ?hidden=${posts?.length !== 0}><slot name="empty">No posts yet. Be the first to submit one.</slot></div>
  </section>`;
}
