import { beforeAll, describe, expect, test } from '@jest/globals';
import type { ErrorEventDetail } from '../src/index.js';
import { focused, nextEvent, openPage } from './support/browser.js';
import { useDemoAndBrowser } from './support/fixture.js';
import { waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser();
/** The module with the forms and the opened post, loaded on first use. */
const PARTS = /\/news-forum-parts\.[0-9a-f]+\.js$/;

beforeAll(async () => {
  await fixture.env.post(await fixture.env.user('poster'), 'Read me');
}, 60_000);

describe('the parts loaded on first use (forms, an opened post)', () => {
  test('a reader who only reads never downloads them; the first Sign in does, from where the bundle came (the third-party page, under its CSP)', async () => {
    const { page, problems } = await openPage(fixture.browser);
    const scripts: URL[] = [];
    page.on('request', (request) => request.resourceType() === 'script' && scripts.push(new URL(request.url())));
    const parts = () => scripts.filter((url) => PARTS.test(url.pathname));
    await page.goto(`${fixture.env.demo.thirdParty.url}/`);
    const forum = page.locator('news-forum');
    await forum.locator('[part="status"]').getByText('Live').waitFor();
    await forum.getByRole('button', { name: 'Upvote: Read me' }).waitFor();
    await forum.getByRole('button', { name: 'Top', exact: true }).click();
    await forum.locator('.sort[aria-pressed="true"]').getByText('Top').waitFor();
    expect(parts()).toEqual([]);

    await forum.getByRole('button', { name: 'Sign in', exact: true }).click();
    await forum.getByRole('form', { name: 'Sign in' }).getByLabel('Login').waitFor();
    expect(parts().map((url) => url.origin)).toEqual([new URL(fixture.env.url).origin]);
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('when they cannot be loaded the element says so with "Try again", fires news-forum-error, and loads them when tried again', async () => {
    const { page, problems } = await openPage(fixture.browser);
    let refused = 0;
    // Refused slowly, so that each attempt is still running when the test looks again.
    await page.route(PARTS, async (route) => {
      refused += 1;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return route.abort('connectionrefused');
    });
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    await forum.getByRole('button', { name: 'Upvote: Read me' }).waitFor();

    // An opened post: an error in its place, and the way back to the list.
    const failed = nextEvent<ErrorEventDetail>(page, 'news-forum-error');
    await forum.getByRole('button', { name: '0 comments' }).click();
    expect(await failed).toMatchObject({ action: 'load', error: { code: 'network_error' } });
    const alert = forum.getByRole('alert');
    await alert.getByText('Could not load this part of the forum.').waitFor();
    await alert.getByText('Cannot reach the forum.', { exact: false }).waitFor();
    await forum.getByRole('button', { name: '← All posts' }).click();
    await forum.getByRole('button', { name: 'Upvote: Read me' }).waitFor();

    // A form: the same, and "Try again" still failing says so again.
    await forum.getByRole('button', { name: 'Sign in', exact: true }).click();
    const retry = alert.getByRole('button', { name: 'Try again' });
    await retry.waitFor();
    const before = refused;
    await retry.click();
    await waitFor('a second attempt', () => refused > before);
    await retry.waitFor();
    expect(await forum.getByRole('form', { name: 'Sign in' }).count()).toBe(0);

    await page.unroute(PARTS);
    await retry.click();
    await forum.getByRole('form', { name: 'Sign in' }).getByLabel('Login').waitFor();
    await waitFor('focus on the login field', async () => (await focused(page)).startsWith('input.'));
    expect(await forum.getByRole('alert').count()).toBe(0);
    expect(problems.errors).toEqual([]);
  }, 60_000);
  test('an element showing one post (`post`) on the third-party page, when they cannot be loaded, shows the error and "Try again" instead of nothing', async () => {
    const post = await fixture.env.post(await fixture.env.user('pinner'), 'Pinned here');
    const { page, problems } = await openPage(fixture.browser);
    await page.route(PARTS, (route) => route.abort('connectionrefused'));
    await page.goto(`${fixture.env.demo.thirdParty.url}/`);
    const forum = page.locator('news-forum');
    await forum.locator('[part="status"]').getByText('Live').waitFor();
    const failed = nextEvent<ErrorEventDetail>(page, 'news-forum-error');
    await forum.evaluate((element, id) => element.setAttribute('post', id), post.id);
    expect(await failed).toMatchObject({ action: 'load', error: { code: 'network_error' } });
    const alert = forum.getByRole('alert');
    await alert.getByText('Could not load this part of the forum.').waitFor();
    // Pinned to the post, there is no list to go back to: "Try again" is the way on.
    expect(await forum.getByRole('button', { name: '← All posts' }).count()).toBe(0);

    await page.unroute(PARTS);
    await alert.getByRole('button', { name: 'Try again' }).click();
    await forum.getByRole('heading', { level: 2 }).getByText('Pinned here').waitFor();
    expect(await forum.getByRole('alert').count()).toBe(0);
    expect(problems.errors).toEqual([]);
  }, 60_000);
});
