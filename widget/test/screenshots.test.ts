import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from '@jest/globals';
import type { NewsForumClient } from '@news-forum/sdk';
import type { Page } from 'playwright-core';
import { openPage } from './support/browser.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';

// The pictures in the READMEs: the list, a post with comments, the dark theme.
const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

const fixture = useDemoAndBrowser();
let ask: string;
let reader: NewsForumClient;

async function vote(voters: NewsForumClient[], postId: string, score: number): Promise<void> {
  await Promise.all(
    voters.slice(0, Math.abs(score)).map((voter) => (score > 0 ? voter.posts.upvote(postId) : voter.posts.downvote(postId))),
  );
}

beforeAll(async () => {
  const { env } = fixture;
  const [ana, ben, cy] = await Promise.all(['ana', 'ben', 'cyd'].map((login) => env.user(login)));
  const voters = await Promise.all(Array.from({ length: 12 }, (_, i) => env.user(`voter${i}`)));
  reader = await env.user('reader');
  const posts = [
    [ana!, 'Lit 3 templates are just tagged strings', { url: 'https://lit.dev/docs/templates/overview/' }, -1],
    [ben!, 'Socket.IO connection state recovery explained', { url: 'https://socket.io/docs/v4/connection-state-recovery' }, 2],
    [cy!, 'Ask: how should a forum rank posts by votes and age?', { text: 'Reddit, Lobsters and HN all do it differently.' }, 4],
    [ben!, 'PGlite: Postgres in WebAssembly, persisted to disk', { url: 'https://pglite.dev/' }, 7],
    [ana!, 'Show: a live forum you embed with two lines of HTML', { url: 'https://example.com/news-forum' }, 12],
  ] as const;
  for (const [author, title, extra, score] of posts) {
    const post = await env.post(author, title, extra);
    await vote(voters, post.id, score);
    if (title.startsWith('Ask')) ask = post.id;
  }
  const { data: first } = await ben!.comments.create(ask, {
    text: 'Log of the score plus age, like Reddit: rank changes only when votes do.',
  });
  await cy!.comments.create(ask, { text: 'And newer posts need fewer votes to rank as high. Nice property.', parentId: first!.id });
  await ana!.comments.create(ask, { text: 'Lobsters adds comment activity too.' });
  const { data: items } = await reader.posts.list({ sort: 'hot' });
  await reader.posts.upvote(items!.items[0]!.id);
  await reader.posts.downvote(items!.items.at(-1)!.id);
  await mkdir(OUT, { recursive: true });
}, 120_000);

async function open(colorScheme: 'light' | 'dark'): Promise<Page> {
  const { page } = await openPage(fixture.browser, { viewport: { width: 720, height: 900 }, colorScheme, reducedMotion: 'reduce' });
  await page.goto(`${fixture.env.url}/`);
  const forum = page.locator('news-forum');
  await forum.getByText('Show: a live forum').waitFor();
  await signIn(page, 'reader');
  await forum.locator('[aria-pressed="true"][part~="upvote-button"]').waitFor();
  return page;
}

describe('screenshots (docs/screenshots)', () => {
  test('the list, with votes and a post waiting', async () => {
    const page = await open('light');
    const forum = page.locator('news-forum');
    await fixture.env.post(reader, 'Just in: arrives while you read');
    await forum.getByRole('button', { name: 'Show 1 new post' }).waitFor();
    await forum.screenshot({ path: `${OUT}list.png` });
    expect(await forum.locator('[part="post"]').count()).toBe(5);
  }, 60_000);

  test('a post with threaded comments', async () => {
    const page = await open('light');
    const forum = page.locator('news-forum');
    await forum.locator(`.post[data-id="${ask}"]`).getByRole('button', { name: '3 comments' }).click();
    await forum.getByText('Lobsters adds comment activity too.').waitFor();
    await page.mouse.move(0, 0);
    await forum.screenshot({ path: `${OUT}post.png` });
  }, 60_000);

  test('the dark theme', async () => {
    const page = await open('dark');
    const forum = page.locator('news-forum');
    await forum.evaluate((element) => element.setAttribute('theme', 'dark'));
    await forum.screenshot({ path: `${OUT}dark.png` });
  }, 60_000);
});
