import { afterAll, describe, expect, test } from '@jest/globals';
import type { RunningServer } from '@news-forum/server';
import type { Page } from 'playwright-core';
import type { VoteEventDetail } from '../src/index.js';
import { nextEvent, openPage, rendered } from './support/browser.js';
import { startForum } from './support/demo.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';
import { attribute, text, waitFor } from './support/wait.js';

let restarted: RunningServer | undefined;

// Declared before the fixture's, so run before it (afterAll hooks run in the order declared): the demo's teardown
// deletes the data directory, whose lock this server holds until it closes (losing it stops the process).
afterAll(async () => {
  await restarted?.close();
});

const fixture = useDemoAndBrowser();

describe('two readers at once', () => {
  test("see each other's votes, posts and comments without reloading", async () => {
    await fixture.env.user('ann');
    await fixture.env.user('ben');
    const topic = await fixture.env.post(await fixture.env.user('cat'), 'Shared topic');
    const [a, b] = await Promise.all([openPage(fixture.browser), openPage(fixture.browser)]);
    await Promise.all([a.page.goto(`${fixture.env.url}/`), b.page.goto(`${fixture.env.url}/`)]);
    await signIn(a.page, 'ann');
    await signIn(b.page, 'ben');
    const inA = a.page.locator('news-forum');
    const inB = b.page.locator('news-forum');

    // A vote in A moves the score in B.
    await inA.getByRole('button', { name: 'Upvote: Shared topic' }).click();
    await text(inB.locator(`.post[data-id="${topic.id}"] [part="score"]`), '1 point');

    // A new post in A: B is offered it rather than having its list reordered.
    await inA.getByRole('button', { name: 'Submit a post' }).click();
    const composer = inA.getByRole('form', { name: 'Submit a post' });
    await composer.getByLabel('Title').fill('Fresh from A');
    const created = nextEvent<{ post: { id: string } }>(a.page, 'news-forum-post-created');
    await composer.getByRole('button', { name: 'Submit' }).click();
    const fresh = (await created).post;
    const show = inB.getByRole('button', { name: 'Show 1 new post' });
    await show.waitFor();
    expect(await inB.locator(`.post[data-id="${fresh.id}"]`).count()).toBe(0);
    await inB.getByRole('status').filter({ hasText: '1 new post waiting' }).waitFor({ state: 'attached' });
    await show.click();
    await inB.locator(`.post[data-id="${fresh.id}"]`).getByText('Fresh from A').waitFor();

    // B opens the shared topic; A comments on it; B sees the comment arrive.
    await inB.locator(`.post[data-id="${topic.id}"]`).getByRole('button', { name: '0 comments' }).click();
    await inB.getByText('No comments yet.').waitFor();
    await inA.getByRole('button', { name: '← All posts' }).click();
    await inA.locator(`.post[data-id="${topic.id}"]`).getByRole('button', { name: '0 comments' }).click();
    await inA.getByLabel('Add a comment').fill('Hello from A');
    await inA.getByRole('button', { name: 'Comment', exact: true }).click();
    await inB.locator('[part="comment"]').getByText('Hello from A').waitFor();
    await text(inB.locator('.post.open').getByRole('button', { name: '1 comment' }), '1 comment');
    await inB.getByRole('status').filter({ hasText: 'New comment by ann' }).waitFor({ state: 'attached' });
    expect([...a.problems.errors, ...b.problems.errors]).toEqual([]);
    await Promise.all([a.context.close(), b.context.close()]);
  }, 60_000);

  test('an older post that climbs into a top list takes its place live; only posts created since wait, and push none out', async () => {
    const author = await fixture.env.user('ranker');
    const voters = await Promise.all(['voter-1', 'voter-2', 'voter-3', 'voter-4', 'voter-5'].map((login) => fixture.env.user(login)));
    const vote = (id: string, count: number) => Promise.all(voters.slice(0, count).map((voter) => voter.posts.upvote(id)));
    const alpha = await fixture.env.post(author, 'Alpha');
    const beta = await fixture.env.post(author, 'Beta');
    const gamma = await fixture.env.post(author, 'Gamma');
    await vote(alpha.id, 3);
    await vote(beta.id, 2);
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    await forum.evaluate((element) => {
      element.setAttribute('sort', 'top');
      element.setAttribute('limit', '2');
    });
    const titles = () =>
      forum.locator('[part="post-list"] [part~="post"]').evaluateAll((posts) => posts.map((post) => post.getAttribute('data-id')));
    await waitFor('Alpha and Beta', async () => (await titles()).join() === [alpha.id, beta.id].join());

    await vote(gamma.id, 4);
    await waitFor('Gamma in its place', async () => (await titles()).join() === [gamma.id, alpha.id].join());
    expect(await forum.locator('[part="new-posts-button"]').count()).toBe(0);

    // New posts that outrank what is shown wait, and the list keeps its length: nothing shown is pushed out.
    const delta = await fixture.env.post(author, 'Delta');
    await vote(delta.id, 5);
    await forum.getByRole('button', { name: 'Show 1 new post' }).waitFor();
    expect(await titles()).toEqual([gamma.id, alpha.id]);
    const epsilon = await fixture.env.post(author, 'Epsilon');
    await vote(epsilon.id, 5);
    await forum.getByRole('button', { name: 'Show 2 new posts' }).click();
    await waitFor('the two new posts shown', async () => (await titles()).sort().join() === [delta.id, epsilon.id].sort().join());
    expect(await forum.locator('[part="new-posts-button"]').count()).toBe(0);
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('a page whose server restarts shows that it is reconnecting, then the right state', async () => {
    const dee = await fixture.env.user('dee');
    const topic = await fixture.env.post(dee, 'Survives restarts');
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    const status = forum.locator('[part="status"]');
    const score = forum.locator(`.post[data-id="${topic.id}"] [part="score"]`);
    await text(status, 'Live');
    await text(score, '0 points');

    const port = fixture.env.demo.forum.port;
    await fixture.env.demo.forum.close();
    await text(status, 'Reconnecting…');
    restarted = await startForum(fixture.env.dataDir, port);
    // Changed as soon as the server is back, likely before the page has resubscribed.
    await dee.posts.upvote(topic.id);
    const later = await fixture.env.post(dee, 'Posted after the restart');

    await text(status, 'Live', 20_000);
    await text(score, '1 point');
    await forum.getByRole('button', { name: 'Show 1 new post' }).click();
    await forum.locator(`.post[data-id="${later.id}"]`).waitFor();
    expect(problems.errors).toEqual([]);
  }, 60_000);
});

describe('one reader in two tabs of a browser', () => {
  test("sees their own vote from the other tab pressed, in the list and in an open thread; another reader's tab does not", async () => {
    await fixture.env.user('twin');
    await fixture.env.user('stranger');
    const topic = await fixture.env.post(await fixture.env.user('host'), 'Voted in another tab');
    // Three tabs of one browser (one context): A and B signed in as twin, C as stranger.
    const { page: a, context, problems } = await openPage(fixture.browser);
    const [b, c] = await Promise.all([context.newPage(), context.newPage()]);
    for (const page of [b, c]) page.on('pageerror', (error) => problems.errors.push(error.message));
    // A page not in front is throttled: each is brought to front to be driven.
    const signedIn = async (page: Page, login: string) => {
      await page.bringToFront();
      await page.goto(`${fixture.env.url}/`);
      await signIn(page, login);
    };
    const authenticated = a.waitForResponse((response) => response.url().endsWith('/api/authenticate'));
    await signedIn(a, 'twin');
    const { token } = (await (await authenticated).json()) as { token: string };
    await signedIn(b, 'twin');
    await signedIn(c, 'stranger');
    // What C's tab hears on the widget's channel; its element's channel, opened before, hears each message first.
    await c.evaluate(() => {
      const w = window as unknown as { heard: string[] };
      w.heard = [];
      new BroadcastChannel('news-forum-votes').onmessage = ({ data }) => w.heard.push(JSON.stringify(data));
    });
    const heard = () => c.evaluate(() => (window as unknown as { heard: string[] }).heard);
    const inA = a.locator('news-forum');
    const inB = b.locator('news-forum');
    const inC = c.locator('news-forum');
    const voteIn = async (page: Page, name: string, vote: number) => {
      await page.bringToFront();
      const voted = nextEvent<VoteEventDetail>(page, 'news-forum-vote');
      await page
        .locator('news-forum')
        .getByRole('button', { name: `${name}: Voted in another tab` })
        .click();
      expect(await voted).toMatchObject({ postId: topic.id, vote });
    };
    const inList = (forum: typeof inA, name: string) => forum.locator(`.post[data-id="${topic.id}"]`).getByRole('button', { name });
    const inThread = (forum: typeof inA, name: string) => forum.locator('.post.open').getByRole('button', { name });

    // A upvotes: B's list shows it pressed; C, another reader, hears the message but shows the count only.
    await voteIn(a, 'Upvote', 1);
    await attribute(inList(inB, 'Upvote: Voted in another tab'), 'aria-pressed', 'true');
    await text(inC.locator(`.post[data-id="${topic.id}"] [part="score"]`), '1 point');
    await waitFor('the message to reach C', async () => (await heard()).length === 1);
    await rendered(c);
    expect(await inList(inC, 'Upvote: Voted in another tab').getAttribute('aria-pressed')).toBe('false');
    // The message names the post, the vote and the version, never the token.
    expect(JSON.parse((await heard())[0] ?? '')).toMatchObject({ postId: topic.id, vote: 1 });
    expect((await heard())[0]).not.toContain(token);

    // A retracts: B's list shows it unpressed.
    await voteIn(a, 'Upvote', 0);
    await attribute(inList(inB, 'Upvote: Voted in another tab'), 'aria-pressed', 'false');

    // B opens the post; A downvotes, then retracts: B's open thread follows both.
    await b.bringToFront();
    await inList(inB, '0 comments').click();
    await inB.getByText('No comments yet.').waitFor();
    await voteIn(a, 'Downvote', -1);
    await attribute(inThread(inB, 'Downvote: Voted in another tab'), 'aria-pressed', 'true');
    await voteIn(a, 'Downvote', 0);
    await attribute(inThread(inB, 'Downvote: Voted in another tab'), 'aria-pressed', 'false');

    // B votes in its thread: A's list follows, and the arrows agree.
    await voteIn(b, 'Upvote', 1);
    await attribute(inList(inA, 'Upvote: Voted in another tab'), 'aria-pressed', 'true');
    expect(await inList(inA, 'Downvote: Voted in another tab').getAttribute('aria-pressed')).toBe('false');
    await waitFor('every message to reach C', async () => (await heard()).length === 5);
    await rendered(c);
    expect(await inList(inC, 'Upvote: Voted in another tab').getAttribute('aria-pressed')).toBe('false');
    expect(await inList(inC, 'Downvote: Voted in another tab').getAttribute('aria-pressed')).toBe('false');
    expect(problems.errors).toEqual([]);
    await context.close();
  }, 60_000);
});
