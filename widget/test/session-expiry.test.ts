import { describe, expect, test } from '@jest/globals';
import type { LoginEventDetail, LogoutEventDetail } from '../src/index.js';
import { nextEvent, openPage, recordForumErrors } from './support/browser.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';
import { text } from './support/wait.js';

// The shortest token life the server allows; the page's clock is moved past it rather than waited for.
const fixture = useDemoAndBrowser({ TOKEN_TTL: '60s' });

describe('a sign-in that expires', () => {
  test('ends when the token does, says so, offers to sign in, and gives the drafts back after signing in again', async () => {
    const ana = await fixture.env.user('ana');
    const post = await fixture.env.post(ana, 'Expiring topic');
    const { data: first } = await ana.comments.create(post.id, { text: 'First comment' });
    await fixture.env.user('bob');
    const { page, problems } = await openPage(fixture.browser);
    await page.clock.install();
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    const forumErrors = await recordForumErrors(page);
    const signedIn = await signIn(page, 'bob');
    expect(signedIn.user.login).toBe('bob');

    // Writing a comment, a reply and a post when the token expires.
    await forum.locator(`.post[data-id="${post.id}"]`).getByRole('button', { name: '1 comment' }).click();
    await forum.getByLabel('Add a comment').fill('A comment that took a while');
    const comment = forum.locator(`.comment[data-id="${first?.id}"]`);
    await comment.getByRole('button', { name: 'Reply' }).click();
    await comment.getByLabel('Your reply').fill('A reply that took a while');
    await forum.getByRole('button', { name: 'Submit a post' }).click();
    const composer = forum.getByRole('form', { name: 'Submit a post' });
    await composer.getByLabel('Title').fill('A post that took a while');

    const loggedOut = nextEvent<LogoutEventDetail>(page, 'news-forum-logout');
    await page.clock.fastForward(61_000);
    expect(await loggedOut).toEqual({ login: 'bob', reason: 'session-ended' });
    await text(forum.locator('[part="notice"] span'), 'Your sign-in has expired: sign in again.');
    const form = forum.getByRole('form', { name: 'Sign in' });
    await form.waitFor();
    await text(forum.locator('[part="status"]'), 'Live');

    // The page's clock is now a minute ahead of the server's: the new session must not count from the server's time.
    await form.getByLabel('Login').fill('bob');
    await form.getByLabel('Password').fill('bob-password');
    const again = nextEvent<LoginEventDetail>(page, 'news-forum-login');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await again;
    expect(await composer.getByLabel('Title').inputValue()).toBe('A post that took a while');
    expect(await comment.getByLabel('Your reply').inputValue()).toBe('A reply that took a while');
    expect(await forum.getByLabel('Add a comment').inputValue()).toBe('A comment that took a while');

    // Nothing was sent by itself; the reader sends the comment now.
    const commented = nextEvent<{ comment: { text: string } }>(page, 'news-forum-comment-created');
    await forum.getByRole('button', { name: 'Comment', exact: true }).click();
    expect((await commented).comment.text).toBe('A comment that took a while');
    const { data: comments } = await fixture.env.client().comments.list(post.id);
    expect(comments?.items.map((item) => item.text)).toEqual(['First comment', 'A comment that took a while']);
    // The server closing the expired token's live socket is no failure to reach the forum.
    expect(await forumErrors()).toEqual([]);
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test("ends when an admin ends the account's sessions, says so, and reports no failure to reach the forum", async () => {
    await fixture.env.user('cai');
    const admin = await fixture.env.admin();
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    const forumErrors = await recordForumErrors(page);
    await signIn(page, 'cai');
    await text(forum.locator('[part="status"]'), 'Live');

    const loggedOut = nextEvent<LogoutEventDetail>(page, 'news-forum-logout');
    const ended = await fetch(`${fixture.env.url}/api/users/cai/sessions`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(ended.status).toBe(204);
    expect(await loggedOut).toEqual({ login: 'cai', reason: 'session-ended' });
    await forum.getByRole('form', { name: 'Sign in' }).waitFor();
    await text(forum.locator('[part="status"]'), 'Live');
    // The server closed the socket first, then refused its token: one sign-out, no "cannot reach the forum".
    expect(await forumErrors()).toEqual([]);
    expect(await forum.locator('[part="notice"] span').textContent()).toMatch(/sign in again\.$/);
    expect(problems.errors).toEqual([]);
  }, 60_000);
});
