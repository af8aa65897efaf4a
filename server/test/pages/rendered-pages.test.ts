import { request } from 'node:http';
import { startTestServer, type TestServer } from '../support/server.js';

const HOSTILE_TITLE = '<img src=x onerror=alert(1)> "quoted" & \'single\'';
const HOSTILE_COMMENT = '<script>alert(2)</script></news-forum><b>bold?</b>';
let t: TestServer;
let ana: string;
let postId: string;

beforeAll(async () => {
  t = await startTestServer();
  ana = await t.signUp('ana');
  postId = (await t.call('POST', '/api/posts', { token: ana, body: { title: HOSTILE_TITLE, text: 'A body <i>with</i> markup.' } })).body.id;
  const plain = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'A plain post', url: 'https://example.com/a?b=c&d=e' } }))
    .body.id;
  await t.call('POST', `/api/posts/${plain}/upvotes`, { token: ana });
  const first = (await t.call('PUT', `/api/comments/${postId}`, { token: ana, body: { text: HOSTILE_COMMENT } })).body.id;
  await t.call('PUT', `/api/comments/${postId}`, { token: ana, body: { text: 'A reply', parentId: first } });
});
afterAll(() => t.cleanup());

async function page(path: string) {
  const response = await fetch(`${t.url}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), html: await response.text() };
}

function meta(html: string, attribute: 'name' | 'property', key: string): string | undefined {
  return new RegExp(`<meta ${attribute}="${key}" content="([^"]*)">`).exec(html)?.[1];
}

const ESCAPED_TITLE = '&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; &#39;single&#39;';

test('the front page lists the posts as text with title, description, Open Graph tags and a canonical link', async () => {
  const { status, type, html } = await page('/');
  expect(status).toBe(200);
  expect(type).toBe('text/html; charset=utf-8');
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain('<title>news-forum</title>');
  expect(html).toContain(`<link rel="canonical" href="${t.url}/posts">`);
  expect(meta(html, 'property', 'og:url')).toBe(`${t.url}/posts`);
  // The same page at its own address, which a site serving / (the demo) leaves to it.
  expect((await page('/posts')).html).toBe(html);
  expect(meta(html, 'property', 'og:type')).toBe('website');
  expect(meta(html, 'property', 'og:title')).toBe('news-forum');
  expect(meta(html, 'name', 'description')).toContain('2 posts');
  expect(html).toContain('<news-forum api="/" sort="hot"><div data-news-forum-prerendered>');
  expect(html).toContain('A plain post</a>');
  expect(html).toContain('href="https://example.com/a?b=c&amp;d=e"');
  // Singular and plural.
  expect(html).toContain('1 point by ana');
  expect(html).toContain('0 points by ana');
  expect(html).toContain(`href="${t.url}/p/${postId}">2 comments</a>`);
  expect(html).toContain(ESCAPED_TITLE);
  expect(html).not.toContain('<img');
  expect(html).toMatch(/<script type="module" src="\/news-forum\.[0-9a-f]{12}\.js"><\/script>/);
});

test('?sort= orders the list and is canonical; an unknown sort is the hot page', async () => {
  const { html } = await page('/?sort=new');
  expect(html).toContain(`<link rel="canonical" href="${t.url}/posts?sort=new">`);
  expect(html).toContain('<title>New · news-forum</title>');
  expect(html.indexOf('A plain post')).toBeLessThan(html.indexOf(ESCAPED_TITLE));
  expect((await page('/?sort=top')).html).toContain('<strong>Top</strong>');
  expect((await page('/posts?sort=%3Cx%3E')).html).toContain(`<link rel="canonical" href="${t.url}/posts">`);
});

test('/p/{id} holds the post and its comments as text, threaded, with its own title and description', async () => {
  const { status, html } = await page(`/p/${postId}`);
  expect(status).toBe(200);
  expect(html).toContain(`<title>${ESCAPED_TITLE} · news-forum</title>`);
  expect(meta(html, 'property', 'og:title')).toBe(`${ESCAPED_TITLE} · news-forum`);
  expect(meta(html, 'property', 'og:type')).toBe('article');
  expect(meta(html, 'name', 'description')).toBe('A body &lt;i&gt;with&lt;/i&gt; markup.');
  expect(html).toContain(`<link rel="canonical" href="${t.url}/p/${postId}">`);
  expect(html).toContain(`<news-forum api="/" post="${postId}">`);
  expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;&lt;/news-forum&gt;&lt;b&gt;bold?&lt;/b&gt;');
  // The reply sits inside its parent's item.
  expect(html).toMatch(/bold\?&lt;\/b&gt;<\/p><ol><li class="nf-comment"[^>]*>.*A reply/);
  expect(html).toContain('<h2>2 comments</h2>');
  for (const tag of ['<img', '<b>', '<i>', '<script>alert']) expect(html).not.toContain(tag);
});

test('an unknown or malformed post id is a 404 page', async () => {
  expect((await page('/p/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  const bad = await page('/p/%3Cscript%3E');
  expect(bad.status).toBe(404);
  expect(bad.html).not.toContain('<script>');
});

test('sitemap.xml lists the front page and every post', async () => {
  const response = await fetch(`${t.url}/sitemap.xml`);
  expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
  const xml = await response.text();
  expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
  const locations = [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1]);
  expect(locations).toHaveLength(3);
  expect(locations).toContain(`${t.url}/posts`);
  expect(locations).toContain(`${t.url}/p/${postId}`);
});

test("sitemap.xml dates each post's page by its last edit, or by when it was made", async () => {
  const token = await t.signUp('eda');
  const made = (await t.call('POST', '/api/posts', { token, body: { title: 'Before the edit' } })).body;
  const lastmodOf = async (id: string) =>
    new RegExp(`<loc>[^<]*/p/${id}</loc><lastmod>([^<]*)</lastmod>`).exec(await (await fetch(`${t.url}/sitemap.xml`)).text())?.[1];
  expect(await lastmodOf(made.id)).toBe(made.createdAt);
  const edited = (await t.call('PUT', `/api/posts/${made.id}/edit`, { token, body: { title: 'After the edit' } })).body;
  expect(edited.editedAt).not.toBe(made.createdAt);
  expect(await lastmodOf(made.id)).toBe(edited.editedAt);
});

/** A GET naming `host` in its Host header, as any client may. */
function getAs(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

test('the links of the pages are at PUBLIC_URL whatever Host a request names; without it, at the address the request came to', async () => {
  expect(await getAs(`${t.url}/p/${postId}`, 'evil.example')).toContain(`<link rel="canonical" href="http://evil.example/p/${postId}">`);
  const pinned = await startTestServer({ env: { PUBLIC_URL: 'https://forum.example.com' } });
  try {
    const token = await pinned.signUp('pia');
    const id = (await pinned.call('POST', '/api/posts', { token, body: { title: 'Pinned' } })).body.id;
    const thread = await getAs(`${pinned.url}/p/${id}`, 'evil.example');
    expect(thread).toContain(`<link rel="canonical" href="https://forum.example.com/p/${id}">`);
    expect(meta(thread, 'property', 'og:url')).toBe(`https://forum.example.com/p/${id}`);
    expect(thread).toContain(`<news-forum api="/" post="${id}">`);
    expect(thread).not.toContain('evil.example');
    const front = await getAs(`${pinned.url}/posts`, 'evil.example');
    expect(front).toContain(`href="https://forum.example.com/p/${id}"`);
    expect(front).not.toContain('evil.example');
    expect(await getAs(`${pinned.url}/sitemap.xml`, 'evil.example')).toContain(`<loc>https://forum.example.com/p/${id}</loc>`);
  } finally {
    await pinned.cleanup();
  }
});
