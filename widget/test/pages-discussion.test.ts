import { describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import { openPage } from './support/browser.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';
import { waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser();

describe('<news-forum page>: one discussion per article of the demo blog', () => {
  test('a comment on one article arrives live in a second browser on that article, not on the other article', async () => {
    await fixture.env.user('ana');
    const [writer, reader, elsewhere] = await Promise.all([1, 2, 3].map(() => openPage(fixture.browser)));
    const article = `${fixture.env.url}/blog/post-1.html`;
    // The fragment and the tracking parameters name the same page (its canonical link says so anyway).
    await writer!.page.goto(`${article}#comments`);
    await reader!.page.goto(`${article}?utm_source=newsletter`);
    await elsewhere!.page.goto(`${fixture.env.url}/blog/post-2.html`);
    for (const { page } of [writer!, reader!, elsewhere!]) await page.locator('news-forum').getByText('No comments yet.').waitFor();

    await signIn(writer!.page, 'ana');
    const form = writer!.page.locator('news-forum').getByRole('textbox', { name: 'Add a comment' });
    await form.fill('The first comment on article one');
    await writer!.page.locator('news-forum').getByRole('button', { name: 'Comment', exact: true }).click();

    // The first comment created the article's discussion: both browsers on the article show it.
    for (const { page } of [writer!, reader!]) {
      const forum = page.locator('news-forum');
      await forum.getByText('The first comment on article one').waitFor();
      await forum.getByRole('heading', { level: 2, name: 'One discussion per article · the news-forum blog' }).waitFor();
    }
    // The discussion is the page's: its first commenter may delete and edit her comment, not the page's post.
    const thread = writer!.page.locator('news-forum').locator('[part~="post"]');
    await thread.getByRole('heading', { level: 2 }).waitFor();
    // Her comment is editable: the edit window is known by now.
    await writer!.page
      .locator('news-forum')
      .getByRole('region', { name: 'Comments' })
      .getByRole('button', { name: 'Edit' })
      .first()
      .waitFor();
    expect(await thread.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    expect(await thread.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    // A second comment arrives live in the thread.
    await form.fill('And a second one');
    await writer!.page.locator('news-forum').getByRole('button', { name: 'Comment', exact: true }).click();
    await reader!.page.locator('news-forum').getByText('And a second one').waitFor();

    const post = await fixture.env.client().pages.get(article);
    expect(post.data).toMatchObject({ commentCount: 2, pageUrl: article, title: 'One discussion per article · the news-forum blog' });
    // The other article still has no discussion, and its browser saw none of it.
    expect((await fixture.env.client().pages.get(`${fixture.env.url}/blog/post-2.html`)).error?.status).toBe(404);
    const other = elsewhere!.page.locator('news-forum');
    expect(await other.getByText('No comments yet.').count()).toBe(1);
    expect(await other.getByText('The first comment on article one').count()).toBe(0);
    for (const { problems } of [writer!, reader!, elsewhere!]) expect(problems).toEqual({ errors: [], dialogs: [] });
  }, 60_000);

  test('title-text names the discussion; a page attribute with a URL discusses that page', async () => {
    const bob = await fixture.env.user('bob');
    const { page } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/blog/post-2.html`);
    await page.evaluate(() => {
      const element = document.querySelector('news-forum')!;
      element.setAttribute('title-text', 'Named by the host');
      element.setAttribute('page', '/blog/post-2.html?fbclid=abc#top');
    });
    await signIn(page, 'bob');
    const forum = page.locator('news-forum');
    await forum.getByRole('textbox', { name: 'Add a comment' }).fill('Hello');
    await forum.getByRole('button', { name: 'Comment', exact: true }).click();
    await forum.getByRole('heading', { level: 2, name: 'Named by the host' }).waitFor();
    const found = () => bob.pages.get(`${fixture.env.url}/blog/post-2.html`);
    await waitFor('the comment counted', async () => (await found()).data?.commentCount === 1);
    expect((await found()).data).toMatchObject({ title: 'Named by the host', commentCount: 1 });
  }, 30_000);
  test("an empty page attribute follows a single-page site's address: pushState, Back, and a pushState not heard yet", async () => {
    const cyd = await fixture.env.user('cyd');
    const { url } = fixture.env;
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${url}/blog/post-1.html`);
    // A single-page site without a canonical link: its address names the page.
    await page.evaluate(() => document.querySelector('link[rel="canonical"]')!.remove());
    await signIn(page, 'cyd');
    const forum = page.locator('news-forum');
    await forum.getByRole('textbox', { name: 'Add a comment' }).waitFor();
    const texts = async (path: string) => {
      const { data: post } = await cyd.pages.get(`${url}${path}`);
      return post ? (await cyd.comments.list(post.id)).data?.items.map((item) => item.text) : [];
    };

    // Sent in the task that changed the address, before any event says so: it goes to the page the reader is on.
    await page.evaluate(() => {
      const root = document.querySelector('news-forum')!.shadowRoot!;
      root.querySelector('textarea')!.value = 'Sent right after a pushState';
      history.pushState({}, '', '/spa/one');
      root.querySelector<HTMLFormElement>('form.comment-form')!.requestSubmit();
    });
    await forum.locator('.comment').getByText('Sent right after a pushState').waitFor();
    expect(await texts('/spa/one')).toEqual(['Sent right after a pushState']);
    expect(await texts('/blog/post-1.html')).not.toContain('Sent right after a pushState');

    /** Changes the address (`back`, else pushState), waits for the event that tells of it and the element's render since: does it still show `text`? */
    const goAndShows = (page: Page, to: string, text: string) =>
      page.evaluate(
        async ([to, text]) => {
          const element = document.querySelector('news-forum') as HTMLElement & { updateComplete: Promise<boolean> };
          const told = new Promise((resolve) => {
            if (to === 'back') window.addEventListener('popstate', resolve, { once: true });
            else (window as unknown as { navigation: EventTarget }).navigation.addEventListener('navigatesuccess', resolve, { once: true });
          });
          if (to === 'back') history.back();
          else history.pushState({}, '', to);
          await told;
          await element.updateComplete;
          return element.shadowRoot!.textContent!.includes(text);
        },
        [to, text] as const,
      );
    // The Navigation API's navigatesuccess tells of a pushState (Chromium has it).
    expect(await goAndShows(page, '/spa/two', 'Sent right after a pushState')).toBe(false);
    await forum.getByText('No comments yet.').waitFor();
    // Back: popstate.
    expect(await goAndShows(page, 'back', 'No comments yet.')).toBe(false);
    await forum.locator('.comment').getByText('Sent right after a pushState').waitFor();

    // Without the Navigation API (other browsers), only Back is told of (popstate), and heard.
    const other = await openPage(fixture.browser);
    await other.page.addInitScript(() => Object.defineProperty(window, 'navigation', { value: undefined }));
    await other.page.goto(`${url}/blog/post-1.html`);
    const theirs = other.page.locator('news-forum');
    await theirs.getByRole('button', { name: 'Sign in to comment' }).waitFor();
    await other.page.evaluate(() => {
      document.querySelector('link[rel="canonical"]')!.remove();
      history.pushState({}, '', '/spa/one');
      history.pushState({}, '', '/spa/two');
    });
    expect(await goAndShows(other.page, 'back', 'Sign in to comment')).toBe(false);
    await theirs.locator('.comment').getByText('Sent right after a pushState').waitFor();
    for (const { problems: seen } of [{ problems }, other]) expect(seen).toEqual({ errors: [], dialogs: [] });
  }, 60_000);
});
