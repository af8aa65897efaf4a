import { describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import type { ErrorEventDetail } from '../src/index.js';
import { openPage } from './support/browser.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';
import { text, waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser();

/** A bare same-origin page (so the server's strict CSP applies) with the bundle loaded and one element added. */
async function bare(page: Page, attributes: Record<string, string>): Promise<void> {
  await page.goto(`${fixture.env.url}/healthz`);
  await page.evaluate(
    async ([bundle, attributes]) => {
      await import(bundle);
      const element = document.createElement('news-forum');
      for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
      document.body.replaceChildren(element);
    },
    [`${fixture.env.url}/news-forum.js`, attributes] as const,
  );
}

describe('<news-forum>', () => {
  test('loads on the demo page under its strict CSP without errors, and is registered once', async () => {
    const { page, problems } = await openPage(fixture.browser);
    const consoleErrors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
    await page.goto(`${fixture.env.url}/`);
    await page.locator('news-forum [part="status"]').getByText('Live').waitFor();
    const defined = await page.evaluate(async (unhashed) => {
      // Loading the unhashed bundle too (a second copy of the module) must not throw.
      await import(unhashed);
      return customElements.get('news-forum') === document.querySelector('news-forum')!.constructor;
    }, '/news-forum.js');
    expect(defined).toBe(true);
    expect(consoleErrors).toEqual([]);
    expect(problems.errors).toEqual([]);
  }, 30_000);

  test('honours sort and limit, and shows one post when pinned with the post attribute', async () => {
    const author = await fixture.env.user('sorter');
    const older = await fixture.env.post(author, 'Older');
    const newer = await fixture.env.post(author, 'Newer');
    await author.posts.upvote(older.id);
    const { page } = await openPage(fixture.browser);
    await bare(page, { sort: 'new', limit: '1' });
    const forum = page.locator('news-forum');
    await forum.getByText('Newer').waitFor();
    expect(await forum.locator('[part="post"]').count()).toBe(1);
    await forum.evaluate((element) => element.setAttribute('sort', 'top'));
    await forum.getByText('Older').waitFor();
    await forum.evaluate((element) => element.setAttribute('sort', 'nonsense'));
    await forum.locator('.sort[aria-pressed="true"]').getByText('Hot').waitFor();

    await forum.evaluate((element, id) => element.setAttribute('post', id), newer.id);
    await forum.getByRole('heading', { name: 'Newer' }).waitFor();
    expect(await forum.getByRole('button', { name: '← All posts' }).count()).toBe(0);
    await forum.evaluate((element) => element.removeAttribute('post'));
    await forum.locator('[part="post-list"]').waitFor();
  }, 30_000);

  test('never throws on a bad api: it shows an error state and fires news-forum-error (bubbling, composed)', async () => {
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/healthz`);
    const heard = page.evaluate(
      (bundle) =>
        new Promise<ErrorEventDetail>((resolve) => {
          document.addEventListener('news-forum-error', (event) => resolve(JSON.parse(JSON.stringify(event.detail))), { once: true });
          void import(bundle).then(() => {
            document.body.innerHTML = '<div><news-forum api="javascript:alert(1)"></news-forum></div>';
          });
        }),
      `${fixture.env.url}/news-forum.js`,
    );
    expect(await heard).toMatchObject({ action: 'load', error: { code: 'network_error' } });
    await page.locator('news-forum').getByText('is not an http(s) URL').waitFor();
    // Nothing to sign in or up to.
    expect(await page.locator('news-forum').getByRole('button').allTextContents()).toEqual([]);
    expect(problems).toEqual({ errors: [], dialogs: [] });
  }, 30_000);

  test('never throws on a page address it cannot use: it shows an error state and fires news-forum-error', async () => {
    const long = `https://example.com/article?q=${'x'.repeat(3000)}`;
    // The last: no page attribute value, so the page's own address, which is too long.
    const cases = [
      ['/healthz', 'http://[bad'],
      ['/healthz', 'ftp://example.com/article'],
      ['/healthz', long],
      [`/healthz?q=${'x'.repeat(3000)}`, ''],
    ] as const;
    // Each in a browser of its own, side by side.
    await Promise.all(
      cases.map(async ([where, page_]) => {
        const { page, problems, context } = await openPage(fixture.browser);
        await page.goto(`${fixture.env.url}${where}`);
        const heard = page.evaluate(
          ([bundle, value]) =>
            new Promise<ErrorEventDetail>((resolve) => {
              document.addEventListener('news-forum-error', (event) => resolve(JSON.parse(JSON.stringify(event.detail))), { once: true });
              void import(bundle).then(() => {
                const element = document.createElement('news-forum');
                element.setAttribute('page', value);
                document.body.replaceChildren(element);
              });
            }),
          [`${fixture.env.url}/news-forum.js`, page_] as const,
        );
        const message =
          "This discussion cannot be shown: its page's address (the page attribute, else the page's own) is not an http(s) URL the forum accepts.";
        expect(await heard).toMatchObject({ action: 'load', message, error: { code: 'network_error' } });
        await page.locator('news-forum').getByText(message).waitFor();
        expect(problems).toEqual({ errors: [], dialogs: [] });
        await context.close();
      }),
    );
  }, 30_000);

  test('shows itself offline when api comes to name no forum, and live again when it names one', async () => {
    const { page, problems, context } = await openPage(fixture.browser);
    await bare(page, {});
    const forum = page.locator('news-forum');
    const status = forum.locator('[part="status"]');
    await status.getByText('Live').waitFor();
    await forum.evaluate((element) => element.setAttribute('api', 'ftp://x'));
    await forum.getByText('is not an http(s) URL').waitFor();
    await text(status, 'Offline');
    const signIn = forum.getByRole('button', { name: 'Sign in' });
    expect(await signIn.count()).toBe(0);
    await forum.evaluate((element, url) => element.setAttribute('api', url), fixture.env.url);
    await text(status, 'Live');
    await signIn.waitFor();
    expect(problems).toEqual({ errors: [], dialogs: [] });
    await context.close();
  }, 30_000);

  test('opens its socket when connected and closes it when removed; keeps the reader signed in, and the comment being written, when moved', async () => {
    const mover = await fixture.env.user('mover');
    const post = await fixture.env.post(mover, 'Moved while writing');
    const { page, context } = await openPage(fixture.browser);
    const sockets = () => fixture.env.demo.forum.gateway.io.engine.clientsCount;
    const before = sockets();
    await bare(page, {});
    const forum = page.locator('news-forum');
    await forum.locator('[part="status"]').getByText('Live').waitFor();
    expect(sockets()).toBe(before + 1);

    await signIn(page, 'mover');
    await forum.locator(`.post[data-id="${post.id}"]`).getByRole('button', { name: '0 comments' }).click();
    const box = forum.getByLabel('Add a comment');
    await box.fill('A comment being written');
    await box.evaluate((textarea) => Object.assign(window, { written: textarea }));
    await page.evaluate(() => document.body.append(document.createElement('section'), document.querySelector('news-forum')!));
    await forum.getByText('Signed in as mover').waitFor();
    // The post is loaded again with the new client, and its form drawn again: with the text in it.
    await waitFor('the comment form drawn again', () => box.evaluate((textarea) => textarea !== (window as { written?: Element }).written));
    expect(await box.inputValue()).toBe('A comment being written');

    await page.evaluate(() => document.querySelector('news-forum')!.remove());
    await waitFor('the socket to close', () => sockets() === before);
    await context.close();
  }, 30_000);

  test('follows theme, hidden and prefers-reduced-motion', async () => {
    const { page } = await openPage(fixture.browser, { reducedMotion: 'reduce', colorScheme: 'dark' });
    await bare(page, { theme: 'light' });
    const forum = page.locator('news-forum');
    await forum.locator('[part="status"]').getByText('Live').waitFor();
    const background = () => forum.locator('[part="base"]').evaluate((base) => getComputedStyle(base).backgroundColor);
    expect(await background()).toBe('rgb(255, 255, 255)');
    await forum.evaluate((element) => element.setAttribute('theme', 'auto'));
    expect(await background()).toBe('rgb(22, 24, 29)');
    expect(await forum.locator('.dot').evaluate((dot) => getComputedStyle(dot).animationName)).toBe('none');
    await forum.evaluate((element) => element.setAttribute('hidden', ''));
    expect(await forum.evaluate((element) => getComputedStyle(element).display)).toBe('none');
  }, 30_000);
});
