import type { PostDates } from '../store/store.js';
import { FRONT_PAGE } from './forum-markup.js';
import { escapeHtml } from './html.js';

/** sitemap.xml: the front page and each post's page, with the time the post was last edited, or made. */
export function sitemapXml(base: string, posts: readonly PostDates[]): string {
  const url = (loc: string, lastmod?: string) =>
    `<url><loc>${escapeHtml(loc)}</loc>${lastmod ? `<lastmod>${escapeHtml(lastmod)}</lastmod>` : ''}</url>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${[url(`${base}${FRONT_PAGE}`), ...posts.map((post) => url(`${base}/p/${post.id}`, post.editedAt ?? post.createdAt))].join('\n')}
</urlset>
`;
}
