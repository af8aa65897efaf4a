import { describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import { openPage } from './support/browser.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';
import { text, waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser();

/** Pins the demo page's widget to one post. */
async function pin(page: Page, id: string): Promise<void> {
  await page.evaluate((id) => document.querySelector('news-forum')!.setAttribute('post', id), id);
}

/** What has focus inside the widget ('' when focus is outside it), as `tag.class`. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const host = document.querySelector('news-forum')!;
    if (document.activeElement !== host) return document.activeElement === document.body ? 'body' : '';
    const el = host.shadowRoot!.activeElement as HTMLElement | null;
    return el ? `${el.tagName.toLowerCase()}.${el.className}:${el.textContent?.trim() ?? ''}` : 'host';
  });
}

describe('long threads', () => {
  test('a post with 200+ comments shows new ones live, and "Show more comments" pages in the rest', async () => {
    const author = await fixture.env.user('talker');
    const topic = await fixture.env.post(author, 'Very busy thread');
    const texts: string[] = [];
    for (let i = 0; i < 230; i += 23) {
      const batch = Array.from({ length: 23 }, (_, j) => `old comment ${String(i + j).padStart(3, '0')}`);
      texts.push(...batch);
      for (const body of batch) {
        const { error } = await author.comments.create(topic.id, { text: body });
        if (error) throw error;
      }
    }
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    await pin(page, topic.id);
    const forum = page.locator('news-forum');
    const comments = forum.locator('[part="comment"]');
    await waitFor('the first 200 comments', async () => (await comments.count()) === 200);

    const fresh = await author.comments.create(topic.id, { text: 'the newest comment' });
    if (fresh.error) throw fresh.error;
    await forum.locator(`.comment[data-id="${fresh.data.id}"]`).getByText('the newest comment').waitFor();

    const more = forum.getByRole('button', { name: 'Show more comments' });
    await more.click();
    await waitFor('all 231 comments', async () => (await comments.count()) === 231);
    expect(await more.count()).toBe(0);
    const shown = await forum.locator('[part="comment"] .text').allTextContents();
    expect(shown).toEqual([...texts, 'the newest comment']);
    // The button went away: focus is on the first comment it brought, not lost to <body>.
    await waitFor('focus on the first paged comment', async () => (await focused(page)).startsWith('li.comment:'));
    expect(await focused(page)).toContain('old comment 200');

    // A paged comment deleted elsewhere goes away live.
    const paged = forum.locator('.comment').filter({ hasText: 'old comment 210' });
    const id = (await paged.getAttribute('data-id'))!;
    await author.comments.delete(topic.id, id);
    await waitFor('the deleted comment to go', async () => (await comments.count()) === 230);
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 90_000);
});

describe('votes', () => {
  test('an optimistic vote is not counted twice when the stream brings it before the REST answer', async () => {
    await fixture.env.user('eager');
    const topic = await fixture.env.post(await fixture.env.user('poster'), 'Vote race');
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    await signIn(page, 'eager');
    const forum = page.locator('news-forum');
    const score = forum.locator(`.post[data-id="${topic.id}"] [part="score"]`);
    await text(score, '0 points');
    await page.evaluate((id) => {
      const w = window as unknown as { scores: string[] };
      w.scores = [];
      const root = document.querySelector('news-forum')!.shadowRoot!;
      new MutationObserver(() => {
        const score = root.querySelector(`.post[data-id="${id}"] [part="score"]`)?.textContent?.trim();
        if (score && score !== w.scores.at(-1)) w.scores.push(score);
      }).observe(root, { subtree: true, childList: true, characterData: true });
    }, topic.id);

    // Hold the answer to the vote until the live copy of the post (with the vote) has been shown.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let seen = 0;
    await page.route(`**/api/posts/${topic.id}/upvotes`, async (route) => {
      seen += 1;
      const response = await route.fetch();
      await held;
      await route.fulfill({ response });
    });
    await forum.getByRole('button', { name: 'Upvote: Vote race' }).click();
    await waitFor('the vote request', () => seen === 1);
    // Give the live copy (version + 1) time to arrive and render while the answer is held.
    await waitFor('the server to count the vote', async () => (await fixture.env.client().posts.get(topic.id)).data?.score === 1);
    await page.waitForTimeout(500);
    release();
    await text(score, '1 points');
    await page.waitForTimeout(200);
    const scores = await page.evaluate(() => (window as unknown as { scores: string[] }).scores);
    expect(scores).toEqual(['1 points']);
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});

describe('an opened post whose first load fails', () => {
  test('shows an error with "Try again" instead of "Loading…" forever', async () => {
    const topic = await fixture.env.post(await fixture.env.user('flaky'), 'Hard to load');
    const { page } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    let failing = true;
    let failures = 0;
    await page.route(`**/api/posts/${topic.id}`, async (route) => {
      if (!failing || route.request().method() !== 'GET') return route.continue();
      failures += 1;
      await route.fulfill({ status: 503, contentType: 'application/problem+json', headers: { 'retry-after': '0' }, body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503 }) });
    });
    await pin(page, topic.id);
    const forum = page.locator('news-forum');
    const retry = forum.getByRole('button', { name: 'Try again' });
    await retry.waitFor({ timeout: 20_000 });
    expect(failures).toBeGreaterThanOrEqual(1);
    await forum.getByText('Could not load this post.').waitFor();

    // Still failing: the error comes back.
    await retry.click();
    await retry.waitFor({ timeout: 20_000 });
    failing = false;
    await retry.click();
    await text(forum.getByRole('heading', { level: 2 }), 'Hard to load');
    expect(await forum.getByText('Loading…').count()).toBe(0);
    expect(await focused(page)).toMatch(/^h2\./);
    await page.context().close();
  }, 60_000);
});

describe('keyboard focus when the focused control goes away', () => {
  test('stays on a control that still exists: Cancel, Show new posts, reply sent, comment and post deleted', async () => {
    await fixture.env.user('kay');
    const other = await fixture.env.user('lee');
    await fixture.env.post(other, 'Already there');
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    await forum.getByText('Live').waitFor();
    const settle = () => page.waitForTimeout(150);

    // Cancel of a panel: back to the button that opened it.
    await forum.getByRole('button', { name: 'Sign in', exact: true }).click();
    await forum.getByRole('form', { name: 'Sign in' }).getByRole('button', { name: 'Cancel' }).click();
    await settle();
    expect(await focused(page)).toBe('button.secondary:Sign in');
    await forum.getByRole('button', { name: 'Sign up', exact: true }).click();
    await forum.getByRole('form', { name: 'Sign up' }).getByRole('button', { name: 'Cancel' }).click();
    await settle();
    expect(await focused(page)).toBe('button.primary:Sign up');

    await signIn(page, 'kay');
    await forum.getByRole('button', { name: 'Submit a post' }).click();
    await forum.getByRole('form', { name: 'Submit a post' }).getByRole('button', { name: 'Cancel' }).click();
    await settle();
    expect(await focused(page)).toBe('button.primary:Submit a post');

    // "Show 1 new post": focus goes to the new post.
    const fresh = await fixture.env.post(other, 'Arrived while reading');
    const show = forum.getByRole('button', { name: 'Show 1 new post' });
    await show.click();
    await settle();
    expect(await focused(page)).toBe('button.title link:Arrived while reading');

    // Reply sent: back to the Reply button of the comment answered.
    await forum.locator(`.post[data-id="${fresh.id}"]`).getByRole('button', { name: '0 comments' }).click();
    await forum.getByLabel('Add a comment').fill('Top comment');
    await forum.getByRole('button', { name: 'Comment', exact: true }).click();
    const top = forum.locator('.comment').filter({ hasText: 'Top comment' }).first();
    await top.waitFor();
    await top.getByRole('button', { name: 'Reply' }).click();
    await top.getByLabel('Your reply').fill('A reply');
    await top.getByRole('button', { name: 'Reply', exact: true }).last().click();
    const reply = forum.locator('.comment .comment').filter({ hasText: 'A reply' });
    await reply.waitFor();
    await settle();
    expect(await focused(page)).toBe('button.link reply:Reply');

    // Cancel of a reply form: the same.
    await top.getByRole('button', { name: 'Reply' }).first().click();
    await top.getByRole('button', { name: 'Cancel' }).click();
    await settle();
    expect(await focused(page)).toBe('button.link reply:Reply');

    // A reply deleted: its parent's Reply button.
    await reply.getByRole('button', { name: 'Delete' }).click();
    await reply.getByRole('button', { name: 'Yes, delete' }).click();
    await waitFor('the reply to go', async () => (await reply.count()) === 0);
    await settle();
    expect(await focused(page)).toBe('button.link reply:Reply');
    // A top-level comment deleted: the comment form.
    await top.getByRole('button', { name: 'Delete' }).click();
    await top.getByRole('button', { name: 'Yes, delete' }).click();
    await forum.getByText('No comments yet.').waitFor();
    await settle();
    expect(await focused(page)).toBe('textarea.:');

    // Post deleted (as admin would; kay deletes her own): back on the list, on the sort group.
    await forum.getByRole('button', { name: 'Submit a post' }).click();
    const composer = forum.getByRole('form', { name: 'Submit a post' });
    await composer.getByLabel('Title').fill('Short-lived');
    await composer.getByRole('button', { name: 'Submit' }).click();
    await text(forum.getByRole('heading', { level: 2 }), 'Short-lived');
    await forum.locator('.post.open').getByRole('button', { name: 'Delete' }).click();
    await forum.getByRole('button', { name: 'Yes, delete' }).click();
    await forum.locator('.sorts').waitFor();
    await settle();
    expect(await focused(page)).toMatch(/^button\.sort:/);
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});

describe('the live region', () => {
  test('announces a repeated message again (emptied, then set)', async () => {
    const author = await fixture.env.user('mia');
    const topic = await fixture.env.post(author, 'Say it twice');
    const { page } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    await signIn(page, 'mia');
    const forum = page.locator('news-forum');
    await forum.locator(`.post[data-id="${topic.id}"]`).getByRole('button', { name: '0 comments' }).click();
    await page.evaluate(() => {
      const w = window as unknown as { said: string[] };
      w.said = [];
      const region = document.querySelector('news-forum')!.shadowRoot!.querySelector('[aria-live]')!;
      new MutationObserver(() => w.said.push(region.textContent!.trim())).observe(region, { subtree: true, childList: true, characterData: true });
    });
    for (const body of ['one', 'two']) {
      await forum.getByLabel('Add a comment').fill(body);
      await forum.getByRole('button', { name: 'Comment', exact: true }).click();
      await forum.locator('[part="comment"]').getByText(body, { exact: true }).waitFor();
      await page.waitForTimeout(200);
    }
    const said = (await page.evaluate(() => (window as unknown as { said: string[] }).said)).filter((text, i, all) => text !== all[i - 1]);
    expect(said.filter((text) => text === 'Comment posted.')).toHaveLength(2);
    await page.context().close();
  }, 60_000);
});

describe('signing out', () => {
  test('drops the answer to a vote sent before, and fires no event for it', async () => {
    await fixture.env.user('nia');
    const topic = await fixture.env.post(await fixture.env.user('ola'), 'Vote then leave');
    const { page } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    await signIn(page, 'nia');
    const forum = page.locator('news-forum');
    await page.evaluate(() => {
      const w = window as unknown as { votes: number };
      w.votes = 0;
      document.querySelector('news-forum')!.addEventListener('news-forum-vote', () => (w.votes += 1));
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let answered!: () => void;
    const done = new Promise<void>((resolve) => (answered = resolve));
    await page.route(`**/api/posts/${topic.id}/upvotes`, async (route) => {
      const response = await route.fetch();
      await held;
      await route.fulfill({ response });
      answered();
    });
    const up = forum.getByRole('button', { name: 'Upvote: Vote then leave' });
    await up.click();
    await forum.getByRole('button', { name: 'Sign out' }).click();
    await forum.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    release();
    await done;
    await text(forum.locator(`.post[data-id="${topic.id}"] [part="score"]`), '1 points');
    await page.waitForTimeout(300);
    expect(await up.getAttribute('aria-pressed')).toBe('false');
    expect(await page.evaluate(() => (window as unknown as { votes: number }).votes)).toBe(0);
    await page.context().close();
  }, 60_000);
});
