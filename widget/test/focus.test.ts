import { beforeAll, describe, expect, test } from '@jest/globals';
import type { NewsForumClient, Post } from '@news-forum/sdk';
import type { Locator, Page } from 'playwright-core';
import { focused, openPage, type PageProblems } from './support/browser.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';
import { text, waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser();
let lee: NewsForumClient;

beforeAll(async () => {
  await fixture.env.user('kay');
  lee = await fixture.env.user('lee');
  await fixture.env.post(lee, 'Already there');
}, 60_000);

/** Waits until focus inside the widget is on `expected` (see `focused`). */
async function focusOn(page: Page, expected: string | RegExp): Promise<void> {
  let last = '';
  await waitFor(`focus on ${expected}`, async () => {
    last = await focused(page);
    return typeof expected === 'string' ? last === expected : expected.test(last);
  }).catch((error: Error) => {
    throw new Error(`${error.message}; it is on "${last}"`);
  });
}

/** The demo page, its widget live, the reader signed in as kay unless `anonymous`. */
async function open(anonymous = false): Promise<{ page: Page; forum: Locator; problems: PageProblems }> {
  const { page, problems } = await openPage(fixture.browser);
  await page.goto(`${fixture.env.url}/`);
  const forum = page.locator('news-forum');
  await forum.getByText('Live').waitFor();
  if (!anonymous) await signIn(page, 'kay');
  return { page, forum, problems };
}

/** Opens `post` from the list and comments on it; returns the comment's element. */
async function commentOn(forum: Locator, post: Post): Promise<Locator> {
  await forum.locator(`.post[data-id="${post.id}"]`).getByRole('button', { name: '0 comments' }).click();
  await forum.getByLabel('Add a comment').fill('Top comment');
  await forum.getByRole('button', { name: 'Comment', exact: true }).click();
  const top = forum.locator('.comment').filter({ hasText: 'Top comment' }).first();
  await top.waitFor();
  return top;
}

describe('keyboard focus, when the control that had it goes away', () => {
  test('returns to the button that opened a panel when the panel is cancelled', async () => {
    const { page, forum, problems } = await open(true);
    await forum.getByRole('button', { name: 'Sign in', exact: true }).click();
    await forum.getByRole('form', { name: 'Sign in' }).getByRole('button', { name: 'Cancel' }).click();
    await focusOn(page, 'button.secondary:Sign in');
    await forum.getByRole('button', { name: 'Sign up', exact: true }).click();
    await forum.getByRole('form', { name: 'Sign up' }).getByRole('button', { name: 'Cancel' }).click();
    await focusOn(page, 'button.primary:Sign up');
    await signIn(page, 'kay');
    await forum.getByRole('button', { name: 'Submit a post' }).click();
    await forum.getByRole('form', { name: 'Submit a post' }).getByRole('button', { name: 'Cancel' }).click();
    await focusOn(page, 'button.primary:Submit a post');
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  test('goes to Sign in when the reader signs out with the keyboard', async () => {
    const { page, forum, problems } = await open();
    await forum.getByRole('button', { name: 'Sign out' }).focus();
    await page.keyboard.press('Enter');
    await forum.getByRole('button', { name: 'Sign out' }).waitFor({ state: 'detached' });
    await focusOn(page, 'button.secondary:Sign in');
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  test('goes to the first new post when "Show 1 new post" is pressed', async () => {
    const { page, forum, problems } = await open();
    await fixture.env.post(await fixture.env.admin(), 'Arrived while reading');
    await forum.getByRole('button', { name: 'Show 1 new post' }).click();
    await focusOn(page, 'button.title link:Arrived while reading');
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  test('returns to the Reply button when a reply is sent or cancelled', async () => {
    const post = await fixture.env.post(lee, 'Replies');
    const { page, forum, problems } = await open();
    const top = await commentOn(forum, post);
    await top.getByRole('button', { name: 'Reply' }).click();
    await top.getByLabel('Your reply').fill('A reply');
    await top.getByRole('button', { name: 'Reply', exact: true }).last().click();
    await forum.locator('.comment .comment').filter({ hasText: 'A reply' }).waitFor();
    await focusOn(page, 'button.link reply:Reply');
    await top.getByRole('button', { name: 'Reply' }).first().click();
    await top.getByRole('button', { name: 'Cancel' }).click();
    await focusOn(page, 'button.link reply:Reply');
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  test("goes to the parent's Reply button when a reply is deleted, and to the comment form when a comment is", async () => {
    const post = await fixture.env.post(lee, 'Deletions');
    const { page, forum, problems } = await open();
    const top = await commentOn(forum, post);
    await top.getByRole('button', { name: 'Reply' }).click();
    await top.getByLabel('Your reply').fill('A reply');
    await top.getByRole('button', { name: 'Reply', exact: true }).last().click();
    const reply = forum.locator('.comment .comment').filter({ hasText: 'A reply' });
    await reply.waitFor();
    await reply.getByRole('button', { name: 'Delete' }).click();
    await reply.getByRole('button', { name: 'Yes, delete' }).click();
    await waitFor('the reply to go', async () => (await reply.count()) === 0);
    await focusOn(page, 'button.link reply:Reply');
    await top.getByRole('button', { name: 'Delete' }).click();
    await top.getByRole('button', { name: 'Yes, delete' }).click();
    await forum.getByText('No comments yet.').waitFor();
    await focusOn(page, 'textarea.:');
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  test('returns to Edit when an edit is saved, and to "Flagged" when a flag is sent, by keyboard', async () => {
    const post = await fixture.env.post(lee, 'Edits and flags');
    const { page, forum, problems } = await open();
    const mine = await commentOn(forum, post);
    await lee.comments.create(post.id, { text: 'Worth a flag' });
    await mine.getByRole('button', { name: 'Edit' }).click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' (edited by keyboard)');
    await page.keyboard.press('Tab');
    await focusOn(page, /^button\.primary:Save/);
    await page.keyboard.press('Enter');
    await mine.getByText('Top comment (edited by keyboard)').waitFor();
    await focusOn(page, 'button.link:Edit');
    const theirs = forum.locator('.comment').filter({ hasText: 'Worth a flag' });
    await theirs.getByRole('button', { name: 'Flag' }).click();
    await theirs.getByLabel('Why flag this?').selectOption('spam');
    await page.keyboard.press('Tab');
    await focusOn(page, /^button\.primary:Flag/);
    await page.keyboard.press('Enter');
    await focusOn(page, 'span.flagged:Flagged');
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  test('goes to the order of the list when the opened post is deleted', async () => {
    const { page, forum, problems } = await open();
    await forum.getByRole('button', { name: 'Submit a post' }).click();
    const composer = forum.getByRole('form', { name: 'Submit a post' });
    await composer.getByLabel('Title').fill('Short-lived');
    await composer.getByRole('button', { name: 'Submit' }).click();
    await text(forum.getByRole('heading', { level: 2 }), 'Short-lived');
    await forum.locator('.post.open').getByRole('button', { name: 'Delete' }).click();
    await forum.getByRole('button', { name: 'Yes, delete' }).click();
    await forum.locator('.sorts').waitFor();
    await focusOn(page, /^button\.sort:/);
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);
  test('goes to the comment box after "Sign in to comment", and stays on the form when the first comment starts a page\'s discussion', async () => {
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/blog/post-1.html`);
    const forum = page.locator('news-forum');
    await forum.getByText('No comments yet.').waitFor();
    await forum.getByRole('button', { name: 'Sign in to comment' }).click();
    const form = forum.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Login').fill('kay');
    await form.getByLabel('Password').fill('kay-password');
    await form.getByLabel('Password').press('Enter');
    await focusOn(page, 'textarea.:');
    await page.keyboard.type('The first comment, by keyboard');
    await page.keyboard.press('Tab');
    await focusOn(page, 'button.primary:Comment');
    await page.keyboard.press('Enter');
    // The page's form gave way to the discussion it started, which has a form of its own.
    await forum.locator('.comment').filter({ hasText: 'The first comment, by keyboard' }).waitFor();
    await focusOn(page, 'textarea.:');
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
