import { type Comment, DEFAULT_PAGE_SIZE, ID_PATTERN, MAX_COMMENT_PAGE_SIZE, POST_SORTS, type PostSort } from '@news-forum/protocol';
import express, { type Request, type Response, type Router } from 'express';
import { publicComment } from '../moderation/visibility.js';
import type { Services } from '../services.js';
import type { PostDates, StoredPost } from '../store/store.js';
import { type PageMeta, renderDocument } from './document.js';
import { FRONT_PAGE, forumElement, postListMarkup, postMarkup } from './forum-markup.js';
import { escapeHtml, excerpt, plural } from './html.js';
import { sitemapXml } from './sitemap.js';

const SITE_NAME = 'news-forum';
/** Posts listed in sitemap.xml, newest first. */
const SITEMAP_POSTS = 1_000;

/** Where the pages' links point: PUBLIC_URL, or the address this request came to. */
function baseUrl(req: Request, services: Services): string {
  return services.config.publicUrl ?? `${req.protocol}://${req.get('host')}`;
}

/** The widget on the forum's own pages talks to the origin it was loaded from, however the reader reached it. */
const OWN_API = '/';

function sortOf(value: unknown): PostSort {
  return (POST_SORTS as readonly unknown[]).includes(value) ? (value as PostSort) : 'hot';
}

function sendHtml(res: Response, status: number, body: string): void {
  // Pages of the longest posts and comments run to megabytes: they cost as the API's answers do.
  res.locals.chargeAnswer?.(Buffer.byteLength(body));
  res.status(status).setHeader('Content-Type', 'text/html; charset=utf-8').setHeader('Cache-Control', 'no-cache').send(body);
}

/** The front page from the read model when it holds it, else from the store. */
async function frontPage(services: Services, sort: PostSort): Promise<StoredPost[]> {
  const held = services.reads.posts.page(sort, DEFAULT_PAGE_SIZE, undefined);
  return (held ?? (await services.store.listPosts(sort, { limit: DEFAULT_PAGE_SIZE }))).items;
}

/** The post and its first comments, from the read models when they hold them; null when there is no such post. */
async function thread(services: Services, id: string): Promise<{ post: StoredPost; comments: Comment[] } | null> {
  const post = await services.store.getPost(id);
  // These pages are what anyone reads: a hidden post is not there, a hidden comment is its placeholder.
  if (!post || post.hidden) return null;
  const held = await services.reads.comments.body(id, MAX_COMMENT_PAGE_SIZE, undefined);
  if (held === null) return null;
  const comments = held
    ? held.value.items
    : (await services.store.listComments(id, { limit: MAX_COMMENT_PAGE_SIZE })).items.map(publicComment);
  return { post, comments };
}

function notFoundPage(base: string, bundlePath: string | undefined): string {
  const meta: PageMeta = {
    title: `Not found · ${SITE_NAME}`,
    description: 'No such post.',
    canonical: `${base}${FRONT_PAGE}`,
    type: 'website',
    siteName: SITE_NAME,
  };
  return renderDocument(
    meta,
    `<h1>Not found</h1><p>No such post. <a href="${escapeHtml(`${base}${FRONT_PAGE}`)}">All posts</a></p>`,
    bundlePath,
  );
}

/**
 * Plain HTML that readers without JavaScript and search engines can read:
 * the front page (`/posts?sort=`, and `/` unless the site serves it), each post with its comments (`/p/{id}`) and
 * `/sitemap.xml`, each page holding a `<news-forum>` that upgrades in place.
 * Mounted after the site's own handlers, so a site (the demo) may serve `/`.
 */
export function createPagesRouter(services: Services, bundlePath: string | undefined): Router {
  const router = express.Router();

  router.get(['/', FRONT_PAGE], async (req, res) => {
    const sort = sortOf(req.query.sort);
    const posts = await frontPage(services, sort);
    const base = baseUrl(req, services);
    const meta: PageMeta = {
      title: sort === 'hot' ? SITE_NAME : `${sort[0]?.toUpperCase()}${sort.slice(1)} · ${SITE_NAME}`,
      description: posts.length
        ? `${plural(posts.length, 'post')}: ${excerpt(posts.map((post) => post.title).join(' · '))}`
        : 'A realtime up/down-vote forum.',
      canonical: sort === 'hot' ? `${base}${FRONT_PAGE}` : `${base}${FRONT_PAGE}?sort=${sort}`,
      type: 'website',
      siteName: SITE_NAME,
    };
    const body = `<h1>${escapeHtml(SITE_NAME)}</h1>\n${forumElement({ api: OWN_API, sort }, postListMarkup(posts, sort, base))}`;
    sendHtml(res, 200, renderDocument(meta, body, bundlePath));
  });

  router.get('/p/:id', async (req, res) => {
    const id = req.params.id;
    const found = ID_PATTERN.test(id) ? await thread(services, id.toLowerCase()) : null;
    if (!found) return sendHtml(res, 404, notFoundPage(baseUrl(req, services), bundlePath));
    const { post, comments } = found;
    const base = baseUrl(req, services);
    const meta: PageMeta = {
      title: `${post.title} · ${SITE_NAME}`,
      description: post.text
        ? excerpt(post.text)
        : `${plural(post.score, 'point')} and ${plural(post.commentCount, 'comment')}, posted by ${post.author}.`,
      canonical: `${base}/p/${post.id}`,
      type: 'article',
      siteName: SITE_NAME,
    };
    sendHtml(res, 200, renderDocument(meta, forumElement({ api: OWN_API, post: post.id }, postMarkup(post, comments, base)), bundlePath));
  });

  // Anyone may ask for it as often as the request limit allows: it reads ids and dates alone (never a post's text), and
  // requests that arrive while a read is on its way share it.
  let reading: Promise<PostDates[]> | undefined;
  router.get('/sitemap.xml', async (req, res) => {
    reading ??= services.store.listPostDates(SITEMAP_POSTS).finally(() => {
      reading = undefined;
    });
    const posts = await reading;
    const xml = sitemapXml(baseUrl(req, services), posts);
    res.locals.chargeAnswer?.(Buffer.byteLength(xml));
    res.status(200).setHeader('Content-Type', 'application/xml; charset=utf-8').setHeader('Cache-Control', 'no-cache');
    res.send(xml);
  });

  return router;
}
