import { describe, expect, test } from '@jest/globals';
import type { LoginEventDetail, LogoutEventDetail, VoteEventDetail } from '../src/index.js';
import { focused, nextEvent, openPage } from './support/browser.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';
import { attribute, text, waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser();

describe('a reader', () => {
  test('signs up, posts, comments and replies, votes, changes and retracts the vote, deletes a comment, signs out and in', async () => {
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    await forum.getByText('Live').waitFor();

    // Sign up (which signs in).
    await forum.getByRole('button', { name: 'Sign up', exact: true }).click();
    const signUp = forum.getByRole('form', { name: 'Sign up' });
    await signUp.getByLabel('Login').fill('ana');
    await signUp.getByLabel('Display name (optional)').fill('Ana Lima');
    await signUp.getByLabel('Password').fill('ana-password');
    const signedUp = nextEvent<LoginEventDetail>(page, 'news-forum-login');
    await signUp.getByRole('button', { name: 'Sign up' }).click();
    expect(await signedUp).toMatchObject({ created: true, user: { login: 'ana', displayName: 'Ana Lima' } });
    await forum.getByText('Signed in as Ana Lima').waitFor();

    // Submit a post: it opens.
    await forum.getByRole('button', { name: 'Submit a post' }).click();
    const composer = forum.getByRole('form', { name: 'Submit a post' });
    // A title of spaces passes the browser's own check; the forum's refusal names the field in words.
    await composer.getByLabel('Title').fill('   ');
    await composer.getByRole('button', { name: 'Submit' }).click();
    await text(composer.getByRole('alert'), 'Title must not be empty');
    await composer.getByLabel('Title').fill('Lit 4 released');
    await composer.getByLabel('Link (optional)').fill('https://lit.dev/blog/');
    await composer.getByLabel('Text (optional)').fill('Release notes\nand a second line.');
    const created = nextEvent<{ post: { id: string; title: string } }>(page, 'news-forum-post-created');
    await composer.getByRole('button', { name: 'Submit' }).click();
    const { post } = await created;
    expect(post.title).toBe('Lit 4 released');
    const heading = forum.getByRole('heading', { level: 2 });
    await text(heading, 'Lit 4 released (lit.dev)');
    await forum.getByText('and a second line.').waitFor();

    // Comment, then reply to the comment.
    await forum.getByLabel('Add a comment').fill('First!');
    const commented = nextEvent<{ comment: { id: string; parentId: string | null } }>(page, 'news-forum-comment-created');
    await forum.getByRole('button', { name: 'Comment', exact: true }).click();
    const { comment } = await commented;
    expect(comment.parentId).toBeNull();
    const first = forum.locator(`.comment[data-id="${comment.id}"]`);
    await first.getByText('First!').waitFor();
    await first.getByRole('button', { name: 'Reply' }).click();
    await first.getByLabel('Your reply').fill('Replying to myself');
    const replied = nextEvent<{ comment: { id: string; parentId: string | null } }>(page, 'news-forum-comment-created');
    await first.getByRole('button', { name: 'Reply', exact: true }).last().click();
    const reply = (await replied).comment;
    expect(reply.parentId).toBe(comment.id);
    const nested = first.locator(`.comment[data-id="${reply.id}"]`);
    await nested.getByText('Replying to myself').waitFor();
    await text(forum.getByRole('button', { name: '2 comments' }), '2 comments');

    // Vote up, change to down, retract.
    const up = forum.getByRole('button', { name: 'Upvote: Lit 4 released' });
    const down = forum.getByRole('button', { name: 'Downvote: Lit 4 released' });
    const score = forum.locator('.post.open [part="score"]');
    for (const [button, vote, pressed, points] of [
      [up, 1, up, '1 point'],
      [down, -1, down, '-1 points'],
      [down, 0, undefined, '0 points'],
    ] as const) {
      const voted = nextEvent<VoteEventDetail>(page, 'news-forum-vote');
      await button.click();
      expect(await voted).toMatchObject({ postId: post.id, vote, post: { score: Number(points.split(' ')[0]) } });
      await text(score, points);
      await attribute(up, 'aria-pressed', String(pressed === up));
      await attribute(down, 'aria-pressed', String(pressed === down));
    }

    // Delete the reply (asks first).
    await nested.getByRole('button', { name: 'Delete' }).click();
    await nested.getByRole('button', { name: 'Yes, delete' }).click();
    await nested.waitFor({ state: 'detached' });
    // The element hides the reply at once, before the server has answered: another reader sees it gone once it has.
    const left = async () => (await fixture.env.client().comments.list(post.id)).data?.items.map((c) => c.id);
    await waitFor('the reply deleted for another reader', async () => (await left())?.length === 1);
    expect(await left()).toEqual([comment.id]);

    // Vote, sign out, sign in again: the vote is still shown as the reader's own.
    await up.click();
    await attribute(up, 'aria-pressed', 'true');
    const signedOut = nextEvent<LogoutEventDetail>(page, 'news-forum-logout');
    const revocation = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().endsWith('/api/authenticate'));
    await forum.getByRole('button', { name: 'Sign out' }).click();
    expect(await signedOut).toEqual({ login: 'ana', reason: 'user' });
    // Signing out revokes the token: the server refuses it from then on.
    const revoked = await revocation;
    expect(revoked.status()).toBe(204);
    const signedOutToken = (await revoked.request().allHeaders()).authorization;
    expect(signedOutToken).toMatch(/^Bearer /);
    expect((await fetch(`${fixture.env.url}/api/me`, { headers: { authorization: signedOutToken! } })).status).toBe(401);
    await attribute(up, 'aria-pressed', 'false');
    expect((await signIn(page, 'ana')).user.login).toBe('ana');
    await attribute(up, 'aria-pressed', 'true');

    // Back to the list: the post is there with its score and comment count.
    await forum.getByRole('button', { name: '← All posts' }).click();
    const item = forum.locator(`.post[data-id="${post.id}"]`);
    await text(item.locator('[part="score"]'), '1 point');
    await text(item.getByRole('button', { name: '1 comment' }), '1 comment');
    expect(problems).toEqual({ errors: [], dialogs: [] });
  }, 60_000);

  test("sees a refused deletion undone with the server's reason (deleting as another user)", async () => {
    const cara = await fixture.env.user('cara');
    const dan = await fixture.env.user('dan');
    const post = await fixture.env.post(cara, 'Cara asks');
    const { data: comment } = await cara.comments.create(post.id, { text: 'Cara comments' });
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    await signIn(page, 'cara');
    const forum = page.locator('news-forum');
    await forum.locator(`.post[data-id="${post.id}"]`).getByRole('button', { name: '1 comment' }).click();
    const entry = forum.locator(`.comment[data-id="${comment!.id}"]`);
    await entry.getByText('Cara comments').waitFor();

    // A crafted situation: the deletion goes out with another account's token.
    await page.route('**/api/comments/**', (route) =>
      route.request().method() === 'DELETE'
        ? route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${dan.token}` } })
        : route.continue(),
    );
    const failed = nextEvent<{ action: string; error: { status: number } }>(page, 'news-forum-error');
    await entry.getByRole('button', { name: 'Delete' }).click();
    await entry.getByRole('button', { name: 'Yes, delete' }).click();
    expect(await failed).toMatchObject({ action: 'delete', error: { status: 403 } });
    await forum.getByRole('alert').getByText('Only the author or an account with the scope delete may do this').waitFor();
    await entry.getByText('Cara comments').waitFor();
    const { data: still } = await fixture.env.client().comments.list(post.id);
    expect(still?.items).toHaveLength(1);
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('sees a vote undone when the account was deleted while it was on its way', async () => {
    await fixture.env.user('eve');
    // Someone else's post: deleting eve's account must not take the post away with it.
    const post = await fixture.env.post(await fixture.env.user('fay'), 'Eve votes');
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    await signIn(page, 'eve');
    const forum = page.locator('news-forum');
    const up = forum.getByRole('button', { name: 'Upvote: Eve votes' });
    const score = forum.locator(`.post[data-id="${post.id}"] [part="score"]`);
    await text(score, '0 points');

    // Hold the vote until the account is gone.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/posts/*/upvotes', async (route) => {
      await held;
      await route.continue();
    });
    const loggedOut = nextEvent<LogoutEventDetail>(page, 'news-forum-logout');
    await up.click();
    await attribute(up, 'aria-pressed', 'true');
    await text(score, '1 point');
    const { error } = await (await fixture.env.admin()).users.delete('eve');
    expect(error).toBeUndefined();
    release();

    expect(await loggedOut).toEqual({ login: 'eve', reason: 'session-ended' });
    await attribute(up, 'aria-pressed', 'false');
    await text(score, '0 points');
    await forum.getByRole('alert').waitFor();
    await forum.locator('[part="header"]').getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test("keeps the draft of a comment the server refused with 401, shows the server's reason and offers to sign in again", async () => {
    const post = await fixture.env.post(await fixture.env.user('hal'), 'Refused comment');
    const ivy = await fixture.env.user('ivy');
    // A token of ivy's that the server has revoked: the page's comment goes with it, as if its own were revoked.
    const revoked = ivy.token;
    await ivy.logout();
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/#nf-post=${post.id}`);
    await signIn(page, 'ivy');
    const forum = page.locator('news-forum');
    const comments = `**/api/comments/${post.id}`;
    await page.route(comments, (route) =>
      route.request().method() === 'GET'
        ? route.continue()
        : route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${revoked}` } }),
    );
    await forum.getByLabel('Add a comment').fill('Worth keeping');
    const loggedOut = nextEvent<LogoutEventDetail>(page, 'news-forum-logout');
    await forum.getByRole('button', { name: 'Comment', exact: true }).click();
    expect(await loggedOut).toEqual({ login: 'ivy', reason: 'session-ended' });
    await text(forum.locator('[part="notice"] span'), 'The token has been revoked: sign in again.');
    await page.unroute(comments);

    const form = forum.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Login').fill('ivy');
    await form.getByLabel('Password').fill('ivy-password');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await forum.getByText('Signed in as ivy').waitFor();
    expect(await forum.getByLabel('Add a comment').inputValue()).toBe('Worth keeping');
    // Not sent again by itself.
    const { data } = await fixture.env.client().comments.list(post.id);
    expect(data?.items).toEqual([]);
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('is signed out, with the event, when api comes to name another forum; the token ends on the one it left', async () => {
    await fixture.env.user('gus');
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    await signIn(page, 'gus');
    const forum = page.locator('news-forum');
    await forum.getByRole('button', { name: 'Sign out' }).waitFor();
    const loggedOut = nextEvent<LogoutEventDetail>(page, 'news-forum-logout');
    const revoked = page.waitForRequest((request) => request.method() === 'DELETE' && request.url().endsWith('/api/authenticate'));
    // The same server by another name is another forum to the element.
    await page.evaluate(
      (api) => document.querySelector('news-forum')!.setAttribute('api', api),
      fixture.env.url.replace('127.0.0.1', 'localhost'),
    );
    expect(await loggedOut).toEqual({ login: 'gus', reason: 'api-changed' });
    await revoked;
    await forum.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('sees "Try again" when an opened post fails to load, and the post once it loads', async () => {
    const topic = await fixture.env.post(await fixture.env.user('flaky'), 'Hard to load');
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    let failing = true;
    let failures = 0;
    await page.route(`**/api/posts/${topic.id}`, async (route) => {
      if (!failing || route.request().method() !== 'GET') return route.continue();
      failures += 1;
      await route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        headers: { 'retry-after': '0' },
        body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503 }),
      });
    });
    await page.evaluate((id) => document.querySelector('news-forum')!.setAttribute('post', id), topic.id);
    const forum = page.locator('news-forum');
    const retry = forum.getByRole('button', { name: 'Try again' });
    await retry.waitFor({ timeout: 20_000 });
    expect(failures).toBeGreaterThanOrEqual(1);
    await forum.getByText('Could not load this post.').waitFor();

    // Still failing: the error comes back.
    await retry.click();
    await retry.waitFor({ timeout: 20_000 });
    failing = false;
    await retry.click();
    await text(forum.getByRole('heading', { level: 2 }), 'Hard to load');
    expect(await forum.getByText('Loading…').count()).toBe(0);
    await waitFor('focus on the heading', async () => (await focused(page)).startsWith('h2.'));
    expect(problems.errors).toEqual([]);
  }, 60_000);
});
