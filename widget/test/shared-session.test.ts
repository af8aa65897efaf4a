import { describe, expect, test } from '@jest/globals';
import type { LoginEventDetail, LogoutEventDetail } from '../src/index.js';
import { nextEvent, openPage } from './support/browser.js';
import { useDemoAndBrowser } from './support/fixture.js';
import { waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser();

describe('elements of one page', () => {
  test('share the sign-in of their forum: signing in or out in one does it in the others, and one added later starts signed in', async () => {
    const sam = await fixture.env.user('sam');
    const post = await fixture.env.post(await fixture.env.user('tia'), 'Voted on from the sidebar');
    const { page, problems } = await openPage(fixture.browser);
    // The server's strict CSP applies to the page: the bundle comes from the forum, the elements are made here.
    await page.goto(`${fixture.env.url}/healthz`);
    await page.evaluate(async (bundle) => {
      await import(bundle);
      const sidebar = Object.assign(document.createElement('news-forum'), { id: 'sidebar' });
      document.body.replaceChildren(Object.assign(document.createElement('news-forum'), { id: 'main' }), sidebar);
    }, `${fixture.env.url}/news-forum.js`);
    const main = page.locator('news-forum#main');
    const sidebar = page.locator('news-forum#sidebar');
    const signedInAs = (forum: typeof main) => forum.getByText('Signed in as sam');

    const sidebarLogin = nextEvent<LoginEventDetail>(page, 'news-forum-login', '#sidebar');
    await main.getByRole('button', { name: 'Sign in', exact: true }).click();
    const form = main.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Login').fill('sam');
    await form.getByLabel('Password').fill('sam-password');
    await form.getByRole('button', { name: 'Sign in' }).click();
    expect(await sidebarLogin).toMatchObject({ user: { login: 'sam' }, created: false });
    await signedInAs(sidebar).waitFor();

    // The sidebar votes as sam with the session it was given.
    await sidebar.getByRole('button', { name: 'Upvote: Voted on from the sidebar' }).click();
    await waitFor("sam's vote", async () => (await sam.posts.get(post.id)).data?.myVote === 1);

    await page.evaluate(() => document.body.append(Object.assign(document.createElement('news-forum'), { id: 'late' })));
    const late = page.locator('news-forum#late');
    await signedInAs(late).waitFor();

    const mainLogout = nextEvent<LogoutEventDetail>(page, 'news-forum-logout', '#main');
    await sidebar.getByRole('button', { name: 'Sign out' }).click();
    expect(await mainLogout).toEqual({ login: 'sam', reason: 'user' });
    for (const forum of [main, sidebar, late]) await forum.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await page.getByText('Signed in as sam').count()).toBe(0);
    expect(problems).toEqual({ errors: [], dialogs: [] });
  }, 60_000);
});
