import { describe, expect, test } from '@jest/globals';
import type { Locator, Page } from 'playwright-core';
import type { LoginEventDetail, LogoutEventDetail } from '../src/index.js';
import { nextEvent, openPage } from './support/browser.js';
import { useDemoAndBrowser } from './support/fixture.js';
import { text, waitFor } from './support/wait.js';

// The shortest token life the server allows; the page's clock is moved past it rather than waited for.
const fixture = useDemoAndBrowser({ TOKEN_TTL: '60s' });

/** Opens a page of the forum (its strict CSP applies: the bundle comes from the forum) with elements of these ids. */
async function pageWith(page: Page, ...ids: string[]): Promise<Locator[]> {
  await page.goto(`${fixture.env.url}/healthz`);
  await page.evaluate(
    async ({ bundle, ids }) => {
      await import(bundle);
      document.body.replaceChildren(...ids.map((id) => Object.assign(document.createElement('news-forum'), { id })));
    },
    { bundle: `${fixture.env.url}/news-forum.js`, ids },
  );
  return ids.map((id) => page.locator(`news-forum#${id}`));
}

/** Signs in with the form of `forum`, opening it first unless it is open. */
async function signInWith(forum: Locator, login: string): Promise<void> {
  const form = forum.getByRole('form', { name: 'Sign in' });
  if (!(await form.count())) await forum.getByRole('button', { name: 'Sign in', exact: true }).click();
  await form.getByLabel('Login').fill(login);
  await form.getByLabel('Password').fill(`${login}-password`);
  await form.getByRole('button', { name: 'Sign in' }).click();
}

describe('elements of one page', () => {
  test('share the sign-in of their forum: signing in or out in one does it in the others, and one added later starts signed in', async () => {
    const sam = await fixture.env.user('sam');
    const post = await fixture.env.post(await fixture.env.user('tia'), 'Voted on from the sidebar');
    const { page, problems } = await openPage(fixture.browser);
    const [main, sidebar] = (await pageWith(page, 'main', 'sidebar')) as [Locator, Locator];
    const signedInAs = (forum: Locator, login = 'sam') => forum.getByText(`Signed in as ${login}`);

    // A sign-up form open in the sidebar goes when the reader signs in with the other element.
    await sidebar.getByRole('button', { name: 'Sign up', exact: true }).click();
    await sidebar.getByRole('form', { name: 'Sign up' }).waitFor();
    const sidebarLogin = nextEvent<LoginEventDetail>(page, 'news-forum-login', '#sidebar');
    const mainLogin = nextEvent<LoginEventDetail>(page, 'news-forum-login', '#main');
    await signInWith(main, 'sam');
    expect(await mainLogin).toMatchObject({ user: { login: 'sam' }, created: false });
    expect(await sidebarLogin).toMatchObject({ user: { login: 'sam' }, created: false });
    await signedInAs(sidebar).waitFor();
    await sidebar.getByRole('form', { name: 'Sign up' }).waitFor({ state: 'detached' });

    // The sidebar votes as sam with the session it was given.
    await sidebar.getByRole('button', { name: 'Upvote: Voted on from the sidebar' }).click();
    await waitFor("sam's vote", async () => (await sam.posts.get(post.id)).data?.myVote === 1);

    const lateLogin = page.evaluate(
      () =>
        new Promise((resolve) => {
          const late = Object.assign(document.createElement('news-forum'), { id: 'late' });
          late.addEventListener('news-forum-login', (event) => resolve((event as CustomEvent).detail), { once: true });
          document.body.append(late);
        }),
    );
    expect(await lateLogin).toMatchObject({ user: { login: 'sam' }, created: false });
    const late = page.locator('news-forum#late');
    await signedInAs(late).waitFor();

    const mainLogout = nextEvent<LogoutEventDetail>(page, 'news-forum-logout', '#main');
    await sidebar.getByRole('button', { name: 'Sign out' }).click();
    expect(await mainLogout).toEqual({ login: 'sam', reason: 'user' });
    for (const forum of [main, sidebar, late]) await forum.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await page.getByText('Signed in as sam').count()).toBe(0);

    // An element taken out of the page while the reader signs in again as someone else hears of it when put back.
    await signInWith(main, 'sam');
    await signedInAs(late).waitFor();
    await page.evaluate(() => {
      const w = window as unknown as { away: Element; events: unknown[] };
      w.away = document.querySelector('news-forum#late')!;
      w.events = [];
      for (const name of ['news-forum-login', 'news-forum-logout'])
        w.away.addEventListener(name, (event) => w.events.push({ name, detail: (event as CustomEvent).detail }));
      w.away.remove();
    });
    await main.getByRole('button', { name: 'Sign out' }).click();
    await signInWith(main, 'tia');
    await signedInAs(main, 'tia').waitFor();
    await page.evaluate(() => document.body.append((window as unknown as { away: Element }).away));
    await signedInAs(late, 'tia').waitFor();
    expect(await page.evaluate(() => (window as unknown as { events: unknown[] }).events)).toEqual([
      { name: 'news-forum-logout', detail: { login: 'sam', reason: 'user' } },
      { name: 'news-forum-login', detail: expect.objectContaining({ user: expect.objectContaining({ login: 'tia' }), created: false }) },
    ]);
    expect(problems).toEqual({ errors: [], dialogs: [] });
  }, 60_000);

  test("a session that ended in both, signed in again in one: the other's notice goes and its forms open again with their drafts", async () => {
    await fixture.env.user('uma');
    const { page, problems } = await openPage(fixture.browser);
    await page.clock.install();
    const [main, sidebar] = (await pageWith(page, 'main', 'sidebar')) as [Locator, Locator];
    await signInWith(main, 'uma');
    await sidebar.getByText('Signed in as uma').waitFor();
    await sidebar.getByRole('button', { name: 'Submit a post' }).click();
    await sidebar.getByRole('form', { name: 'Submit a post' }).getByLabel('Title').fill('Begun in the sidebar');

    await page.clock.fastForward(61_000);
    for (const forum of [main, sidebar]) await text(forum.locator('[part="notice"] span'), 'Your sign-in has expired: sign in again.');
    await sidebar.getByRole('form', { name: 'Submit a post' }).waitFor({ state: 'detached' });

    await signInWith(main, 'uma');
    await sidebar.getByText('Signed in as uma').waitFor();
    const composer = sidebar.getByRole('form', { name: 'Submit a post' });
    expect(await composer.getByLabel('Title').inputValue()).toBe('Begun in the sidebar');
    await sidebar.locator('[part="notice"] span').waitFor({ state: 'detached' });

    // The other element moves to another forum, which signs its token out: the sidebar says why it was signed out.
    const sidebarLogout = nextEvent<LogoutEventDetail>(page, 'news-forum-logout', '#sidebar');
    await main.evaluate((element) => element.setAttribute('api', 'http://127.0.0.1:9/'));
    expect(await sidebarLogout).toEqual({ login: 'uma', reason: 'session-ended' });
    await text(sidebar.locator('[part="notice"] span'), 'Signed out elsewhere on this page: sign in again.');
    expect(problems.errors).toEqual([]);
  }, 60_000);
});
