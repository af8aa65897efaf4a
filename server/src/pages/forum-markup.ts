import type { Comment, PostSort } from '@news-forum/protocol';
import type { StoredPost } from '../store/store.js';
import { escapeHtml as e, httpUrl, plural } from './html.js';

/**
 * The rendered front page's one address: `/` too when no site (the demo) serves it,
 * but this path always.
 */
export const FRONT_PAGE = '/posts';

/** The attribute marking the light-DOM content `<news-forum>` shows until it has its own. */
export const PRERENDERED_ATTRIBUTE = 'data-news-forum-prerendered';

/** `<news-forum>` holding `content` as light-DOM children: visible without JavaScript, replaced in place with it. */
export function forumElement(attributes: Record<string, string>, content: string): string {
  const attrs = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${e(value)}"`)
    .join('');
  return `<news-forum${attrs}><div ${PRERENDERED_ATTRIBUTE}>${content}</div></news-forum>`;
}

function postMeta(post: StoredPost): string {
  return `<span class="nf-meta">${plural(post.score, 'point')} by ${e(post.author)} <time datetime="${e(post.createdAt)}">${e(post.createdAt.slice(0, 16).replace('T', ' '))} UTC</time></span>`;
}

function postLinks(post: StoredPost, base: string): string {
  const link = httpUrl(post.url);
  const title = link ? `<a href="${e(link)}" rel="noopener noreferrer nofollow ugc">${e(post.title)}</a>` : e(post.title);
  return `${title} ${postMeta(post)} <a class="nf-meta" href="${e(`${base}/p/${post.id}`)}">${plural(post.commentCount, 'comment')}</a>`;
}

const SORT_NAMES: Record<PostSort, string> = { hot: 'Hot', new: 'New', top: 'Top' };

/** The front page's list. */
export function postListMarkup(posts: StoredPost[], sort: PostSort, base: string): string {
  const sorts = (Object.keys(SORT_NAMES) as PostSort[])
    .map((s) =>
      s === sort ? `<strong>${SORT_NAMES[s]}</strong>` : `<a href="${e(`${base}${FRONT_PAGE}?sort=${s}`)}">${SORT_NAMES[s]}</a>`,
    )
    .join(' · ');
  const items = posts.map((post) => `<li class="nf-post" data-id="${e(post.id)}">${postLinks(post, base)}</li>`).join('\n');
  return `<nav class="nf-sorts" aria-label="Order">${sorts}</nav>\n${posts.length ? `<ol class="nf-posts">\n${items}\n</ol>` : '<p>No posts yet.</p>'}`;
}

function commentMarkup(comment: Comment, replies: Map<string | null, Comment[]>): string {
  const children = replies.get(comment.id) ?? [];
  const nested = children.length ? `<ol>${children.map((c) => commentMarkup(c, replies)).join('')}</ol>` : '';
  return `<li class="nf-comment" id="c-${e(comment.id)}"><span class="nf-meta">${comment.author === undefined ? '' : `${e(comment.author)} `}<time datetime="${e(comment.createdAt)}">${e(comment.createdAt.slice(0, 16).replace('T', ' '))} UTC</time></span><p class="nf-text">${e(comment.text)}</p>${nested}</li>`;
}

/** One post with its comments as a thread (replies under their parent; orphans of a cut page at the top). */
export function postMarkup(post: StoredPost, comments: Comment[], base: string): string {
  const ids = new Set(comments.map((c) => c.id));
  const replies = new Map<string | null, Comment[]>();
  for (const comment of comments) {
    const parent = comment.parentId !== null && ids.has(comment.parentId) ? comment.parentId : null;
    replies.set(parent, [...(replies.get(parent) ?? []), comment]);
  }
  const link = httpUrl(post.url);
  const text = post.text ? `<p class="nf-text">${e(post.text)}</p>` : '';
  const title = link ? `<a href="${e(link)}" rel="noopener noreferrer nofollow ugc">${e(post.title)}</a>` : e(post.title);
  const roots = replies.get(null) ?? [];
  return `<article class="nf-thread">
<h1>${title}</h1>
<p>${postMeta(post)} · ${plural(post.commentCount, 'comment')} · <a href="${e(`${base}${FRONT_PAGE}`)}">All posts</a></p>
${text}
<h2>${plural(post.commentCount, 'comment')}</h2>
${roots.length ? `<ol class="nf-comments">${roots.map((c) => commentMarkup(c, replies)).join('\n')}</ol>` : '<p>No comments yet.</p>'}
</article>`;
}
