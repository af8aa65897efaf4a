import { beforeAll, describe, expect, it } from '@jest/globals';
import { type Comment, type NewsForumClient, normalisePageUrl } from '../src/index.js';
import { useForumServer } from './support/forum-server.js';
import { waitFor } from './support/wait.js';

const forum = useForumServer();

/** A fetch that says the calls come from `origin`, as a browser on a page there would. */
function fetchFrom(origin: string): typeof fetch {
  return (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('origin', origin);
    return fetch(input, { ...init, headers });
  };
}

describe('forum.pages against the real server', () => {
  let ana: NewsForumClient;
  let page: string;

  beforeAll(async () => {
    // The forum's own origin is always allowed to hold discussions of its pages.
    ana = await forum.signUp('ana', { fetch: fetchFrom(forum.server.url) });
    page = `${forum.server.url}/blog/post-1.html`;
  });

  it('get() finds no discussion before the first comment', async () => {
    const { error } = await ana.pages.get(page);
    expect(error?.status).toBe(404);
  });

  it('comment() starts the discussion; get() finds it by any spelling of the URL; it streams live', async () => {
    const first = await ana.pages.comment({ url: `${page}#comments`, title: 'Post 1', text: 'First' });
    if (first.error) throw first.error;
    const { post, comment } = first.data;
    expect(post).toMatchObject({ title: 'Post 1', pageUrl: normalisePageUrl(page), commentCount: 1 });
    expect(comment).toMatchObject({ postId: post.id, text: 'First' });

    const found = await forum.client().pages.get(`${page}?utm_source=feed`);
    expect(found.data?.id).toBe(post.id);

    const seen: Comment[] = [];
    const reader = forum.client();
    const topic = reader.live.comments(post.id);
    const stop = topic.on('change', ({ new_val }) => {
      if (new_val) seen.push(new_val);
    });
    await waitFor('the subscription', () => topic.status === 'live');
    const reply = await ana.pages.comment({ url: page, text: 'Second', parentId: comment.id });
    expect(reply.data?.post).toMatchObject({ id: post.id, commentCount: 2 });
    await waitFor('the live comment', () => seen.some((c) => c.text === 'Second'));
    stop();
  });

  it('comment() from another origin is refused with a typed error', async () => {
    const bob = await forum.signUp('bob');
    const other = forum.client({ token: bob.token, fetch: fetchFrom('https://elsewhere.example') });
    const { error } = await other.pages.comment({ url: `${forum.server.url}/blog/post-2.html`, text: 'hi' });
    expect(error?.status).toBe(403);
    // Not even the page's discussion: the forum refuses writes from origins it does not list.
    expect(error?.problem?.type).toBe('urn:news-forum:problem:forbidden');
    expect((await forum.client().pages.get(`${forum.server.url}/blog/post-2.html`)).error?.status).toBe(404);
    // From the forum's origin, a page of another site.
    const foreign = await ana.pages.comment({ url: 'https://elsewhere.example/article', text: 'hi' });
    expect(foreign.error?.status).toBe(403);
    expect(foreign.error?.problem?.type).toBe('urn:news-forum:problem:page-origin-not-allowed');
  });
});
