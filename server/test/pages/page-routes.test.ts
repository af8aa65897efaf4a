import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Comment } from '@news-forum/protocol';
import { isOwnOrigin } from '../../src/policy/origin.js';
import { connectSocket, eventually, record, subscribe } from '../support/live-client.js';
import { ADMIN, startTestServer, type TestServer } from '../support/server.js';

const BLOG = 'https://blog.example.com';
const ARTICLE = `${BLOG}/post-42`;
let t: TestServer;
let ana: string;
let bob: string;

beforeAll(async () => {
  t = await startTestServer({ env: { CORS_ORIGINS: `${BLOG},https://other.example.org` } });
  [ana, bob] = await Promise.all([t.signUp('ana'), t.signUp('bob')]);
});
afterAll(() => t.cleanup());

function comment(token: string, body: Record<string, unknown>, origin: string | null = BLOG, headers: Record<string, string> = {}) {
  return t.call('PUT', '/api/pages/comments', { token, body, headers: { ...(origin && { origin }), ...headers } });
}

function find(url: string) {
  return t.call('GET', `/api/pages?url=${encodeURIComponent(url)}`);
}

test('GET /api/pages finds nothing before the first comment and never creates', async () => {
  const found = await find(`${BLOG}/never-discussed`);
  expect(found.status).toBe(404);
  expect((await find(`${BLOG}/never-discussed`)).status).toBe(404);
  const posts = (await t.call('GET', '/api/posts?sort=new')).body.items as { url: string | null }[];
  expect(posts.some((post) => post.url === `${BLOG}/never-discussed`)).toBe(false);
});

test('the first comment creates the page post; fragments and utm_* name the same page; it is on the front page', async () => {
  const first = await comment(ana, { url: `${ARTICLE}#comments`, title: '  Post 42  ', text: 'First!' });
  expect(first.status).toBe(201);
  const { post, comment: created } = first.body;
  expect(post).toMatchObject({ title: 'Post 42', url: ARTICLE, pageUrl: ARTICLE, author: 'ana', commentCount: 1, myVote: 0 });
  expect(created).toMatchObject({ postId: post.id, author: 'ana', text: 'First!', parentId: null });

  const reply = await comment(bob, {
    url: `${ARTICLE}?utm_source=newsletter&fbclid=x`,
    title: 'ignored',
    text: 'Reply',
    parentId: created.id,
  });
  expect(reply.status).toBe(201);
  expect(reply.body.post).toMatchObject({ id: post.id, title: 'Post 42', commentCount: 2 });
  expect(reply.body.comment).toMatchObject({ parentId: created.id, author: 'bob' });

  const found = await find(`HTTPS://BLOG.example.com:443/post-42?gclid=1#top`);
  expect(found.status).toBe(200);
  expect(found.body).toMatchObject({ id: post.id, pageUrl: ARTICLE, commentCount: 2 });
  expect(found.body).not.toHaveProperty('myVote');

  const comments = (await t.call('GET', `/api/comments/${post.id}`)).body.items as Comment[];
  expect(comments.map((c) => c.text)).toEqual(['First!', 'Reply']);
  await eventually(
    async () => {
      const posts = (await t.call('GET', '/api/posts?sort=new')).body.items as { id: string; pageUrl?: string }[];
      return posts.some((p) => p.id === post.id && p.pageUrl === ARTICLE);
    },
    10_000,
    'the page post on the front page',
  );
});

test('a page without a title is titled by its URL', async () => {
  const created = await comment(ana, { url: `${BLOG}/untitled`, text: 'hello' });
  expect(created.body.post).toMatchObject({ title: `${BLOG}/untitled` });
});

test('a URL standing in for a title is cut to the 300 characters of a title', async () => {
  const url = `${BLOG}/${'long-'.repeat(100)}`;
  const created = await comment(ana, { url, text: 'hello' });
  expect(created.status).toBe(201);
  expect(created.body.post.title).toBe(url.slice(0, 300));
});

test('a first comment refused creates no post: a text the contract refuses, a key reused for another page', async () => {
  const refused = await comment(ana, { url: `${BLOG}/nul`, text: 'bad\u0000text' });
  expect(refused.status).toBe(422);
  expect((await find(`${BLOG}/nul`)).status).toBe(404);
  const headers = { 'Idempotency-Key': 'one-page-only' };
  expect((await comment(ana, { url: `${BLOG}/first-page`, text: 'x' }, BLOG, headers)).status).toBe(201);
  const reused = await comment(ana, { url: `${BLOG}/second-page`, text: 'x' }, BLOG, headers);
  expect(reused.status).toBe(409);
  expect((await find(`${BLOG}/second-page`)).status).toBe(404);
  const posts = (await t.call('GET', '/api/posts?sort=new&limit=100')).body.items as { url: string | null }[];
  expect(posts.filter((post) => post.url === `${BLOG}/nul` || post.url === `${BLOG}/second-page`)).toEqual([]);
});

test('a banned account cannot comment on a page', async () => {
  const admin = await t.login(ADMIN.login, ADMIN.password);
  const banned = await t.signUp('banned');
  expect((await t.call('PUT', '/api/users/banned/ban', { token: admin, body: { until: null } })).status).toBe(200);
  const refused = await comment(banned, { url: `${BLOG}/banned`, text: 'still here?' });
  expect(refused.status).toBe(403);
  expect(refused.body.type).toBe('urn:news-forum:problem:account-banned');
  expect((await find(`${BLOG}/banned`)).status).toBe(404);
});

test('a hidden page post is a closed discussion to readers (discussion-hidden), takes no comments and shows no flags; moderators see it', async () => {
  const admin = await t.login(ADMIN.login, ADMIN.password);
  const url = `${BLOG}/hidden`;
  const { post } = (await comment(ana, { url, text: 'soon hidden' })).body;
  await t.call('POST', `/api/posts/${post.id}/flags`, { token: bob, body: { reason: 'spam' } });
  expect((await find(url)).body).not.toHaveProperty('flagCount');
  await t.call('POST', `/api/posts/${post.id}/hide`, { token: admin, body: {} });
  // Not "no discussion" (which invites a first comment), and not the post's id.
  const closed = { status: 404, type: 'urn:news-forum:problem:discussion-hidden', detail: `A moderator hid the discussion of ${url}` };
  const found = await find(url);
  expect({ status: found.status, type: found.body.type, detail: found.body.detail }).toEqual(closed);
  expect(JSON.stringify(found.body)).not.toContain(post.id);
  expect((await t.call('GET', `/api/pages?url=${encodeURIComponent(url)}`, { token: admin })).body).toMatchObject({
    hidden: true,
    flagCount: 1,
  });
  for (const [token, body] of [
    [bob, { url, text: 'on a hidden page' }],
    [bob, { url, text: 'a reply on a hidden page', parentId: '00000000-0000-4000-8000-000000000000' }],
    [admin, { url, text: 'a moderator restores it first' }],
  ] as const) {
    const refused = await comment(token, body);
    expect({ status: refused.status, type: refused.body.type, detail: refused.body.detail }).toEqual(closed);
  }
  expect((await t.call('GET', `/api/posts/${post.id}`, { token: admin })).body.commentCount).toBe(1);
});

test('two first comments at once make one post with both comments', async () => {
  const url = `${BLOG}/race`;
  const answers = await Promise.all(
    Array.from({ length: 8 }, (_, i) => comment(i % 2 ? ana : bob, { url, title: `Race ${i}`, text: `comment ${i}` })),
  );
  expect(answers.every((a) => a.status === 201)).toBe(true);
  expect(new Set(answers.map((a) => a.body.post.id)).size).toBe(1);
  const found = await find(url);
  expect(found.body.commentCount).toBe(8);
});

test("origins not listed, not the page's, or absent cannot start or join a discussion", async () => {
  const url = `${BLOG}/guarded`;
  const cases: [string, string | null][] = [
    [url, 'https://evil.example.net'],
    [url, 'https://other.example.org'],
    [url, null],
    ['https://evil.example.net/page', 'https://evil.example.net'],
  ];
  for (const [pageUrl, origin] of cases) {
    const refused = await comment(ana, { url: pageUrl, text: 'nope' }, origin);
    expect([pageUrl, origin, refused.status]).toEqual([pageUrl, origin, 403]);
    if (origin !== 'https://evil.example.net') expect(refused.body.type).toBe('urn:news-forum:problem:page-origin-not-allowed');
  }
  expect((await find(url)).status).toBe(404);
  expect((await find('https://evil.example.net/page')).status).toBe(404);
});

/** PUT /api/pages/comments with headers as a script sends them, Host included (fetch sets its own). */
function rawComment(token: string, body: Record<string, unknown>, headers: Record<string, string>): Promise<number | undefined> {
  const payload = JSON.stringify(body);
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        path: '/api/pages/comments',
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

test("a Host header naming the page's site does not make it the forum's own: only this machine's address or PUBLIC_URL does", async () => {
  const evil = 'https://evil.example.net';
  expect(await rawComment(ana, { url: `${evil}/claimed`, text: 'mine now' }, { origin: evil, host: 'evil.example.net' })).toBe(403);
  expect((await find(`${evil}/claimed`)).status).toBe(404);
  // The forum's own pages, reached at its loopback address (npm start), may have discussions.
  const own = new URL(t.url).origin;
  expect(await rawComment(ana, { url: `${own}/about`, text: 'on the forum itself' }, { origin: own })).toBe(201);
});

test("with PUBLIC_URL, the forum's own origin is that one, whatever the Host", () => {
  const config = { publicUrl: 'https://forum.example.com' };
  expect(isOwnOrigin('https://forum.example.com', 'node-1:3000', config)).toBe(true);
  expect(isOwnOrigin('https://evil.example.net', 'evil.example.net', config)).toBe(false);
  expect(isOwnOrigin('http://127.0.0.1:3000', '127.0.0.1:3000', config)).toBe(false);
  expect(isOwnOrigin('http://localhost:3000', 'localhost:3000', { publicUrl: undefined })).toBe(true);
  expect(isOwnOrigin('http://[::1]:3000', '[::1]:3000', { publicUrl: undefined })).toBe(true);
  expect(isOwnOrigin('http://localhost.evil.net', 'localhost.evil.net', { publicUrl: undefined })).toBe(false);
});

test('bad input is a 4xx that changes nothing', async () => {
  const bad = [
    { url: 'javascript:alert(1)', text: 'x' },
    { url: 'https://user:pw@blog.example.com/a', text: 'x' },
    { url: `${BLOG}/a`, text: '   ' },
    { url: `${BLOG}/a`, text: 'x', title: 'a'.repeat(301) },
    { url: `${BLOG}/a`, text: 'x', parentId: '00000000-0000-4000-8000-000000000000' },
    { text: 'x' },
  ];
  for (const body of bad) {
    const answer = await comment(ana, body);
    expect([400, 404, 422]).toContain(answer.status);
  }
  expect((await t.call('PUT', '/api/pages/comments', { body: { url: `${BLOG}/a`, text: 'x' }, headers: { origin: BLOG } })).status).toBe(
    401,
  );
  expect((await find('not a url')).status).toBe(400);
  // Not even the page's post was created.
  expect((await find(`${BLOG}/a`)).status).toBe(404);
});

test('an Idempotency-Key makes a retried page comment return the first one', async () => {
  const body = { url: `${BLOG}/retry`, text: 'once' };
  const first = await comment(ana, body, BLOG, { 'Idempotency-Key': 'page-retry-1' });
  const again = await comment(ana, body, BLOG, { 'Idempotency-Key': 'page-retry-1' });
  expect(again.status).toBe(201);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(again.body.comment.id).toBe(first.body.comment.id);
  expect((await find(body.url)).body.commentCount).toBe(1);
});

test('page comments arrive live on the post’s commentstream, as other comments do', async () => {
  const url = `${BLOG}/live`;
  const { post } = (await comment(ana, { url, title: 'Live', text: 'one' })).body;
  const socket = await connectSocket(t.url);
  try {
    const changes = record(socket, 'commentstream');
    const ack = await subscribe(socket, { topic: 'comments', postId: post.id });
    expect(ack).toMatchObject({ ok: true, snapshot: [{ text: 'one' }] });
    await comment(bob, { url: `${url}#x`, text: 'two' });
    await eventually(() => changes.some((c) => c.new_val?.text === 'two'), 10_000, 'the live comment');
    expect(changes.every((c) => c.new_val === null || c.new_val.postId === post.id)).toBe(true);
  } finally {
    socket.close();
  }
});

test("the first commenter's account deleted, the page's discussion stays live with the next commenter as its author", async () => {
  const url = `${BLOG}/outlived`;
  const [eve, admin] = await Promise.all([t.signUp('eve'), t.login(ADMIN.login, ADMIN.password)]);
  const { post } = (await comment(eve, { url, title: 'Outlived', text: 'from eve' })).body;
  await comment(bob, { url, text: 'from bob' });
  // A millisecond apart, so that bob's is the older.
  await sleep(3);
  await comment(ana, { url, text: 'from ana' });
  const socket = await connectSocket(t.url);
  try {
    const posts = record(socket, 'poststream');
    const comments = record(socket, 'commentstream');
    expect((await subscribe(socket, { topic: 'posts', sort: 'new' })).ok).toBe(true);
    expect((await subscribe(socket, { topic: 'comments', postId: post.id })).ok).toBe(true);
    expect((await t.call('DELETE', '/api/users/eve', { token: admin })).status).toBe(204);
    const mine = () => posts.filter((c) => (c.new_val ?? c.old_val)?.id === post.id);
    await eventually(() => mine().some((c) => c.new_val?.author === 'bob' && c.new_val.commentCount === 2), 10_000, 'the post handed on');
    await eventually(() => comments.some((c) => c.new_val === null && c.old_val?.text === 'from eve'), 10_000, "eve's comment gone");
    expect(mine().some((c) => c.new_val === null)).toBe(false);
    expect(comments.filter((c) => c.new_val === null).map((c) => c.old_val?.text)).toEqual(['from eve']);
  } finally {
    socket.close();
  }
  expect((await find(url)).body).toMatchObject({ id: post.id, author: 'bob', commentCount: 2 });
  const left = (await t.call('GET', `/api/comments/${post.id}`)).body.items as Comment[];
  expect(left.map((c) => c.text)).toEqual(['from bob', 'from ana']);
});

test("the page's post belongs to the page: its first commenter may neither edit nor delete it; a moderator may", async () => {
  const url = `${BLOG}/owned-by-the-page`;
  const { post } = (await comment(ana, { url, title: 'Owned by the page', text: 'first' })).body;
  await comment(bob, { url, text: 'second' });
  const edit = await t.call('PUT', `/api/posts/${post.id}/edit`, {
    token: ana,
    body: { title: 'Scam', url: 'https://evil.example/phish' },
  });
  expect(edit.status).toBe(403);
  expect(edit.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect((await t.call('DELETE', `/api/posts/${post.id}`, { token: ana })).status).toBe(403);
  expect((await find(url)).body).toMatchObject({ id: post.id, title: 'Owned by the page', url, commentCount: 2 });

  const admin = await t.login(ADMIN.login, ADMIN.password);
  const moderated = await t.call('PUT', `/api/posts/${post.id}/edit`, { token: admin, body: { title: 'Retitled' } });
  expect(moderated.status).toBe(200);
  expect((await find(url)).body).toMatchObject({ title: 'Retitled', url });
  expect((await t.call('DELETE', `/api/posts/${post.id}`, { token: admin })).status).toBe(204);
  expect((await find(url)).status).toBe(404);
});
