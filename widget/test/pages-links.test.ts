import { describe, expect, test } from '@jest/globals';
import { openPage } from './support/browser.js';
import { useDemoAndBrowser } from './support/fixture.js';

const fixture = useDemoAndBrowser();

describe('links to posts', () => {
  test('opening a post sets #nf-post=<id>; Back returns to the list; a shared link opens the post', async () => {
    const ana = await fixture.env.user('ana');
    const post = await fixture.env.post(ana, 'Linked post', { text: 'Share me' });
    await ana.posts.upvote(post.id);
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('#forum news-forum');
    const item = forum.locator(`.post[data-id="${post.id}"]`);
    // One vote: "1 point", singular.
    expect((await item.locator('.score').textContent())?.trim()).toBe('1 point');
    await item.getByRole('button', { name: '0 comments' }).click();
    await forum.getByRole('heading', { level: 2, name: 'Linked post' }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#nf-post=${post.id}`);

    await page.goBack();
    await item.waitFor();
    expect(await forum.getByRole('heading', { level: 2, name: 'Linked post' }).count()).toBe(0);
    expect(new URL(page.url()).hash).toBe('');

    // Forward opens it again; "All posts" returns to the list and leaves no fragment.
    await page.goForward();
    await forum.getByRole('heading', { level: 2, name: 'Linked post' }).waitFor();
    await forum.getByRole('button', { name: '← All posts' }).click();
    await item.waitFor();
    expect(new URL(page.url()).hash).toBe('');

    const shared = await openPage(fixture.browser);
    await shared.page.goto(`${fixture.env.url}/#nf-post=${post.id}`);
    await shared.page.locator('#forum news-forum').getByText('Share me').waitFor();
    expect(problems).toEqual({ errors: [], dialogs: [] });
    expect(shared.problems).toEqual({ errors: [], dialogs: [] });
  }, 40_000);

  test('with two elements on a page, only the one that opened a post follows its entry; a shared link opens it in the first', async () => {
    const post = await fixture.env.post(await fixture.env.user('two'), 'Opened in one');
    const { page, problems } = await openPage(fixture.browser);
    /** Opens `url` (the server's strict CSP applies) and adds an unpinned element and a second one with an id. */
    const twoElements = async (url: string) => {
      await page.goto(url);
      await page.evaluate(async (bundle) => {
        await import(bundle);
        const second = Object.assign(document.createElement('news-forum'), { id: 'sidebar' });
        second.setAttribute('sort', 'new');
        document.body.replaceChildren(document.createElement('news-forum'), second);
      }, `${fixture.env.url}/news-forum.js`);
    };
    const settled = () =>
      page.evaluate(() => Promise.all([...document.querySelectorAll('news-forum')].map((element) => element.updateComplete)));
    const first = page.locator('news-forum').nth(0);
    const second = page.locator('news-forum#sidebar');
    const opened = (forum: typeof first) => forum.getByRole('heading', { level: 2, name: 'Opened in one' });

    await twoElements(`${fixture.env.url}/healthz`);
    await second.locator(`.post[data-id="${post.id}"]`).getByRole('button', { name: '0 comments' }).click();
    await opened(second).waitFor();
    expect(new URL(page.url()).hash).toBe(`#nf-post=${post.id}`);
    await second.getByRole('button', { name: '← All posts' }).click();
    await second.locator('[part="post-list"]').waitFor();
    // Forward: the entry names the second element; the first stays on its list.
    await page.goForward();
    await opened(second).waitFor();
    await settled();
    expect(await opened(first).count()).toBe(0);
    await page.goBack();
    await second.locator('[part="post-list"]').waitFor();
    await settled();
    expect(await opened(first).count()).toBe(0);

    // A shared link names no element: the first opens the post, the second keeps its list.
    await twoElements(`${fixture.env.url}/healthz#nf-post=${post.id}`);
    await opened(first).waitFor();
    await second.locator('[part="post-list"]').waitFor();
    await settled();
    expect(await opened(second).count()).toBe(0);
    expect(problems).toEqual({ errors: [], dialogs: [] });
  }, 40_000);

  test('the third-party page names its discussion once', async () => {
    const { page } = await openPage(fixture.browser);
    await page.goto(fixture.env.demo.thirdParty.url);
    await page.locator('news-forum').getByText('Live', { exact: true }).waitFor();
    expect(await page.getByText('Discussion', { exact: true }).count()).toBe(1);
  }, 30_000);
});
