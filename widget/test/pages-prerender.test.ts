import { describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import { openPage } from './support/browser.js';
import { useDemoAndBrowser } from './support/fixture.js';
import { waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser();
const TITLE = '<img src=x onerror=alert(1)> Rendered';
const COMMENT = '<script>alert(2)</script><b>bold?</b>';

/** Records, at the element's first render, whether it showed the server's content through its default slot. */
async function watchFirstRender(page: Page): Promise<void> {
  await page.addInitScript(() => {
    void customElements.whenDefined('news-forum').then(async () => {
      const element = document.querySelector('news-forum') as HTMLElement & { updateComplete: Promise<unknown> };
      await element.updateComplete;
      const slot = element.shadowRoot?.querySelector<HTMLSlotElement>('slot:not([name])');
      (window as unknown as { firstRender: unknown }).firstRender = {
        slotted: slot?.assignedElements().some((e) => e.hasAttribute('data-news-forum-prerendered')) ?? false,
        loading: element.shadowRoot?.textContent?.includes('Loading…') ?? false,
      };
    });
  });
}

describe('server-rendered pages in Chromium', () => {
  test('with JavaScript off, /p/{id} and / show the post and its comments as text, hostile ones too', async () => {
    const ana = await fixture.env.user('ana');
    const post = await fixture.env.post(ana, TITLE, { text: 'Body text' });
    await ana.comments.create(post.id, { text: COMMENT });
    const { page, problems } = await openPage(fixture.browser, { javaScriptEnabled: false });
    await page.goto(`${fixture.env.url}/p/${post.id}`);
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    expect(await page.getByText(COMMENT).isVisible()).toBe(true);
    expect(await page.getByText('Body text').isVisible()).toBe(true);
    expect(await page.title()).toBe(`${TITLE} · news-forum`);
    for (const tag of ['img', 'b']) expect(await page.locator(tag).count()).toBe(0);

    // The demo keeps / and points readers without JavaScript to the rendered front page.
    await page.goto(`${fixture.env.url}/`);
    await page.getByRole('link', { name: 'read the forum as plain pages' }).click();
    await page.waitForURL(`${fixture.env.url}/posts`);
    const item = page.locator(`.nf-post[data-id="${post.id}"]`);
    await item.getByText(TITLE).waitFor();
    expect(await page.locator('img').count()).toBe(0);
    await item.getByRole('link', { name: '1 comment' }).click();
    await page.waitForURL(`${fixture.env.url}/p/${post.id}`);

    await page.goto(`${fixture.env.url}/p/00000000-0000-4000-8000-000000000000`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    expect(problems).toEqual({ errors: [], dialogs: [] });
  }, 30_000);

  test('with JavaScript on, <news-forum> shows the server content first, then upgrades in place to its own', async () => {
    const bob = await fixture.env.user('bob');
    const post = await fixture.env.post(bob, 'Upgraded in place', { text: 'Same text' });
    await bob.comments.create(post.id, { text: 'A comment' });
    const { page, problems } = await openPage(fixture.browser);
    await watchFirstRender(page);
    await page.goto(`${fixture.env.url}/p/${post.id}`);
    const forum = page.locator('news-forum');
    // Its own view: the heading the element renders (level 2), with vote buttons.
    await forum.getByRole('button', { name: 'Upvote: Upgraded in place' }).waitFor();
    await forum.getByRole('region', { name: 'Comments' }).getByText('A comment').waitFor();
    await waitFor('the first render to be recorded', () => page.evaluate(() => 'firstRender' in window));
    expect(await page.evaluate(() => (window as unknown as { firstRender: unknown }).firstRender)).toEqual({
      slotted: true,
      loading: false,
    });
    // The server's content is no longer shown (it stays in the light DOM, unslotted).
    expect(await page.locator('[data-news-forum-prerendered]').isVisible()).toBe(false);
    expect(await forum.getByRole('heading', { level: 1, name: 'Upgraded in place' }).count()).toBe(0);
    expect(problems).toEqual({ errors: [], dialogs: [] });
  }, 30_000);
});
