import { beforeAll, describe, expect, test } from '@jest/globals';
import type { Comment, NewsForumClient, Post } from '@news-forum/sdk';
import type { Locator, Page } from 'playwright-core';
import { focused, openPage, type PageProblems } from './support/browser.js';
import { useDemoAndBrowser } from './support/fixture.js';
import { waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser();
let author: NewsForumClient;
let topic: Post;

/** A thread longer than a live snapshot (200 comments). */
beforeAll(async () => {
  author = await fixture.env.user('talker');
  topic = await fixture.env.post(author, 'Very busy thread');
  for (let i = 0; i < 230; i += 23) {
    const batch = Array.from({ length: 23 }, (_, j) =>
      author.comments.create(topic.id, { text: `old comment ${String(i + j).padStart(3, '0')}` }),
    );
    for (const { error } of await Promise.all(batch)) if (error) throw error;
  }
}, 60_000);

/** The thread's comments as the API lists them, oldest first. */
async function listed(): Promise<Comment[]> {
  const all: Comment[] = [];
  for await (const comment of author.comments.all(topic.id)) all.push(comment);
  return all;
}

/** The demo page pinned to the long thread, its first 200 comments shown. */
async function openThread(): Promise<{ page: Page; forum: Locator; comments: Locator; problems: PageProblems }> {
  const { page, problems } = await openPage(fixture.browser);
  await page.goto(`${fixture.env.url}/`);
  await page.evaluate((id) => document.querySelector('news-forum')!.setAttribute('post', id), topic.id);
  const forum = page.locator('news-forum');
  const comments = forum.locator('[part="comment"]');
  await waitFor('the first 200 comments', async () => (await comments.count()) >= 200);
  return { page, forum, comments, problems };
}

describe('a thread longer than its first 200 comments', () => {
  test('shows comments that arrive live after the first 200', async () => {
    const { page, forum, problems } = await openThread();
    const { data: fresh, error } = await author.comments.create(topic.id, { text: 'the newest comment' });
    if (error) throw error;
    await forum.locator(`.comment[data-id="${fresh.id}"]`).getByText('the newest comment').waitFor();
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  test('"Show more comments" pages in the rest, in order, then goes away', async () => {
    const { page, forum, comments, problems } = await openThread();
    const all = await listed();
    const more = forum.getByRole('button', { name: 'Show more comments' });
    await more.click();
    await waitFor(`all ${all.length} comments`, async () => (await comments.count()) === all.length);
    expect(await forum.locator('[part="comment"] .text').allTextContents()).toEqual(all.map((comment) => comment.text));
    expect(await more.count()).toBe(0);
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  test('moves focus to the first comment paged in when the button goes', async () => {
    const { page, forum } = await openThread();
    const first = (await listed())[200]!;
    await forum.getByRole('button', { name: 'Show more comments' }).click();
    await waitFor('focus on the first paged comment', async () => (await focused(page)).startsWith(`li.comment:${first.author}`));
    expect(await focused(page)).toContain(first.text);
    await page.context().close();
  }, 60_000);

  test('drops a comment paged in when it is deleted elsewhere', async () => {
    const { page, forum, comments } = await openThread();
    const all = await listed();
    await forum.getByRole('button', { name: 'Show more comments' }).click();
    await waitFor(`all ${all.length} comments`, async () => (await comments.count()) === all.length);
    const paged = all[210]!;
    expect((await author.comments.delete(topic.id, paged.id)).error).toBeUndefined();
    await waitFor('the deleted comment to go', async () => (await forum.locator(`.comment[data-id="${paged.id}"]`).count()) === 0);
    expect(await comments.count()).toBe(all.length - 1);
    await page.context().close();
  }, 60_000);
});
