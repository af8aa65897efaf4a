import { describe, expect, test } from '@jest/globals';
import type { Route } from 'playwright-core';
import type { VoteEventDetail } from '../src/index.js';
import { nextEvent, openPage, rendered } from './support/browser.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';
import { recordStream } from './support/stream.js';
import { text, waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser();

/** Lets the server answer a route's request, but holds the answer back from the page until `release()`. */
function holdAnswer() {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const state = { sent: 0, release };
  const handler = async (route: Route) => {
    state.sent += 1;
    const response = await route.fetch();
    await held;
    // The page may have given up on the request meanwhile (signed out); there is no one left to answer then.
    await route.fulfill({ response }).catch(() => {});
  };
  return { state, handler };
}

describe('an optimistic vote', () => {
  test('is not counted twice when the stream brings it before the REST answer', async () => {
    await fixture.env.user('eager');
    const topic = await fixture.env.post(await fixture.env.user('poster'), 'Vote race');
    const { page, problems } = await openPage(fixture.browser);
    const stream = recordStream(page);
    await page.goto(`${fixture.env.url}/`);
    await signIn(page, 'eager');
    const forum = page.locator('news-forum');
    const score = forum.locator(`.post[data-id="${topic.id}"] [part="score"]`);
    await text(score, '0 points');
    // Every score the reader sees, in order.
    await page.evaluate((id) => {
      const w = window as unknown as { scores: string[] };
      const root = document.querySelector('news-forum')!.shadowRoot!;
      const current = () => root.querySelector(`.post[data-id="${id}"] [part="score"]`)?.textContent?.trim();
      // Seeded with what shows now: any other mutation before the vote must not look like a change of score.
      w.scores = [current() ?? ''];
      new MutationObserver(() => {
        const score = current();
        if (score && score !== w.scores.at(-1)) w.scores.push(score);
      }).observe(root, { subtree: true, childList: true, characterData: true });
    }, topic.id);

    const { state, handler } = holdAnswer();
    await page.route(`**/api/posts/${topic.id}/upvotes`, handler);
    await forum.getByRole('button', { name: 'Upvote: Vote race' }).click();
    await waitFor('the vote request', () => state.sent === 1);
    await waitFor('the live copy of the post, counting the vote, to reach the page', () =>
      stream.events.some(({ name, data }) => {
        const post = (data as { new_val?: { id: string; score: number } }).new_val;
        return name === 'poststream' && post?.id === topic.id && post.score === 1;
      }),
    );
    await rendered(page);
    const voted = nextEvent<VoteEventDetail>(page, 'news-forum-vote');
    state.release();
    expect(await voted).toMatchObject({ postId: topic.id, vote: 1 });
    await rendered(page);
    expect(await page.evaluate(() => (window as unknown as { scores: string[] }).scores)).toEqual(['0 points', '1 point']);
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  test('is dropped, with no event, when its answer arrives after signing out', async () => {
    await fixture.env.user('nia');
    const topic = await fixture.env.post(await fixture.env.user('ola'), 'Vote then leave');
    const { page } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    await signIn(page, 'nia');
    const forum = page.locator('news-forum');
    await page.evaluate(() => {
      const w = window as unknown as { votes: number };
      w.votes = 0;
      document.querySelector('news-forum')!.addEventListener('news-forum-vote', () => (w.votes += 1));
    });
    const { state, handler } = holdAnswer();
    await page.route(`**/api/posts/${topic.id}/upvotes`, handler);
    const up = forum.getByRole('button', { name: 'Upvote: Vote then leave' });
    await up.click();
    await waitFor('the vote request', () => state.sent === 1);
    // Signing out aborts the requests of the session.
    const abandoned = page.waitForEvent('requestfailed', (request) => request.url().endsWith(`/api/posts/${topic.id}/upvotes`));
    await forum.getByRole('button', { name: 'Sign out' }).click();
    await abandoned;
    state.release();
    // The server counted it: the stream says so, but the reader who left is not shown as its voter.
    await text(forum.locator(`.post[data-id="${topic.id}"] [part="score"]`), '1 point');
    await rendered(page);
    expect(await up.getAttribute('aria-pressed')).toBe('false');
    expect(await page.evaluate(() => (window as unknown as { votes: number }).votes)).toBe(0);
    await page.context().close();
  }, 60_000);
});
