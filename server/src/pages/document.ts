import { escapeHtml } from './html.js';

/** What the head of a rendered page says about it. */
export interface PageMeta {
  title: string;
  description: string;
  /** Absolute URL of the page's one address. */
  canonical: string;
  type: 'website' | 'article';
  siteName: string;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;color-scheme:light dark}
.nf-posts{padding-left:1.5rem}.nf-posts li{margin:.5rem 0}.nf-meta{font-size:.875rem;opacity:.75}
.nf-comments,.nf-comments ol{list-style:none;padding-left:1rem}.nf-comment{margin:.75rem 0}.nf-text{white-space:pre-wrap;margin:.25rem 0}`;

/**
 * A whole HTML document: head with title, description, Open Graph tags and
 * canonical link, then `body` (already escaped markup), and the widget
 * bundle, which upgrades the `<news-forum>` element in place.
 */
export function renderDocument(meta: PageMeta, body: string, bundlePath: string | undefined): string {
  const e = escapeHtml;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(meta.title)}</title>
<meta name="description" content="${e(meta.description)}">
<link rel="canonical" href="${e(meta.canonical)}">
<meta property="og:type" content="${meta.type}">
<meta property="og:site_name" content="${e(meta.siteName)}">
<meta property="og:title" content="${e(meta.title)}">
<meta property="og:description" content="${e(meta.description)}">
<meta property="og:url" content="${e(meta.canonical)}">
<style>${STYLE}</style>
${bundlePath ? `<script type="module" src="${e(bundlePath)}"></script>\n` : ''}</head>
<body>
${body}
</body>
</html>
`;
}
