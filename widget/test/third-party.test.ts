import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Browser } from 'playwright-core';
import type { ErrorEventDetail, LoginEventDetail } from '../src/index.js';
import { launchBrowser, nextEvent, openPage } from './support/browser.js';
import { startTestDemo, type TestDemo } from './support/demo.js';
import { waitFor } from './support/wait.js';

let browser: Browser;
const demos: TestDemo[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(demos.map((demo) => demo.close()));
});

async function demo(env?: Record<string, string>): Promise<TestDemo> {
  const started = await startTestDemo(env);
  demos.push(started);
  return started;
}

describe('the third-party page (another origin embedding the widget)', () => {
  test('works when its origin is allowed: readers sign up, post, and the page hears the events', async () => {
    const env = await demo();
    const blog = env.demo.thirdParty.url;
    expect(new URL(blog).origin).not.toBe(new URL(env.url).origin);
    const { page, problems } = await openPage(browser);
    await page.goto(`${blog}/`);
    const forum = page.locator('news-forum');
    expect(await forum.getAttribute('api')).toBe(env.url);
    await forum.locator('[part="status"]').getByText('Live').waitFor();

    await forum.getByRole('button', { name: 'Sign up', exact: true }).click();
    const form = forum.getByRole('form', { name: 'Sign up' });
    await form.getByLabel('Login').fill('blogger');
    await form.getByLabel('Password').fill('blogger-password');
    const signedIn = nextEvent<LoginEventDetail>(page, 'news-forum-login');
    await form.getByRole('button', { name: 'Sign up' }).click();
    expect((await signedIn).user.login).toBe('blogger');

    await forum.getByRole('button', { name: 'Submit a post' }).click();
    const composer = forum.getByRole('form', { name: 'Submit a post' });
    await composer.getByLabel('Title').fill('Posted from the blog');
    await composer.getByRole('button', { name: 'Submit' }).click();
    await forum.getByRole('heading', { name: 'Posted from the blog' }).waitFor();
    // Another reader's front page holds it once the change feed has brought it (at once for its author only).
    const listed = async () => (await env.client().posts.list({ sort: 'new' })).data?.items.map((post) => [post.title, post.author]);
    await waitFor('the post on the front page', async () => (await listed())?.length === 1);
    expect(await listed()).toEqual([['Posted from the blog', 'blogger']]);

    // The blog's own script heard the element's events.
    await page.locator('#events').getByText('news-forum-post-created: posted "Posted from the blog"').waitFor();
    await page.locator('#events').getByText('news-forum-login: signed in as blogger (new account)').waitFor();
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('is refused when its origin is not allowed: an error state, and nothing is written', async () => {
    const env = await demo({ CORS_ORIGINS: '' });
    const { page, problems } = await openPage(browser);
    const failed = page.waitForEvent('console', (message) => message.type() === 'error');
    await page.goto(`${env.demo.thirdParty.url}/`);
    await failed;
    const forum = page.locator('news-forum');
    await forum.getByText('Could not load the posts.').waitFor();
    await forum.getByRole('alert').getByText('Cannot reach the forum. It may be down, or it may not allow this site.').waitFor();
    await page.locator('#events').getByText('news-forum-error: error (load)', { exact: false }).waitFor();

    // Signing up is refused too, and nothing reaches the store.
    await forum.getByRole('button', { name: 'Sign up', exact: true }).click();
    const form = forum.getByRole('form', { name: 'Sign up' });
    await form.getByLabel('Login').fill('intruder');
    await form.getByLabel('Password').fill('intruder-password');
    const refused = nextEvent<ErrorEventDetail>(page, 'news-forum-error');
    await form.getByRole('button', { name: 'Sign up' }).click();
    expect(await refused).toMatchObject({ action: 'sign-up', error: { code: 'network_error' } });
    await form.getByRole('alert').waitFor();
    const { data: users } = await (await env.admin()).users.list();
    expect(users?.items.map((user) => user.login)).toEqual(['admin']);
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('with CORS_ORIGINS=* it can read but not write', async () => {
    const env = await demo({ CORS_ORIGINS: '*' });
    await env.post(await env.user('author'), 'Readable anywhere');
    const { page } = await openPage(browser);
    await page.goto(`${env.demo.thirdParty.url}/`);
    const forum = page.locator('news-forum');
    await forum.getByText('Readable anywhere').waitFor();
    await forum.locator('[part="status"]').getByText('Live').waitFor();

    await forum.getByRole('button', { name: 'Sign in', exact: true }).click();
    const form = forum.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Login').fill('author');
    await form.getByLabel('Password').fill('author-password');
    const refused = nextEvent<ErrorEventDetail>(page, 'news-forum-error');
    await form.getByRole('button', { name: 'Sign in' }).click();
    expect((await refused).action).toBe('sign-in');
    await form.getByRole('alert').waitFor();
    expect(await forum.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  }, 60_000);
});
