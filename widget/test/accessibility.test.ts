import { beforeAll, describe, expect, test } from '@jest/globals';
import type axe from 'axe-core';
import type { Page } from 'playwright-core';
import type { LoginEventDetail, VoteEventDetail } from '../src/index.js';
import { loadAxe } from './support/axe.js';
import { nextEvent, openPage } from './support/browser.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';
import { waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser();
let postId: string;

beforeAll(async () => {
  const { env } = fixture;
  const ida = await env.user('ida');
  await env.user('kim');
  await env.post(ida, 'An accessible forum', { url: 'https://www.w3.org/WAI/' });
  const post = await env.post(ida, 'Threads and replies', { text: 'What do you think?' });
  postId = post.id;
  const { data: comment } = await ida.comments.create(post.id, { text: 'A first comment' });
  await ida.comments.create(post.id, { text: 'A reply', parentId: comment!.id });
}, 60_000);

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown; failureSummary?: string }[];
}

/** Runs axe-core on the element; returns the serious and critical violations (and logs the rest). */
async function seriousViolations(page: Page, label: string): Promise<Violation[]> {
  await loadAxe(page);
  const violations = await page.evaluate(async () => {
    const results = await (window as unknown as { axe: typeof axe }).axe.run('news-forum', { resultTypes: ['violations'] });
    return results.violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact: impact ?? null,
      help,
      nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })),
    }));
  });
  const minor = violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical');
  if (minor.length)
    console.log(
      `axe (${label}), not serious:`,
      minor.map((v) => `${v.id}: ${v.help}`),
    );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The deepest focused element's accessible label or text. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    return (element?.getAttribute('aria-label') ?? element?.textContent ?? '').trim().replace(/\s+/g, ' ');
  });
}

/** Presses Tab (or Shift+Tab) until the focused element's label matches (at most `max` times). */
async function tabTo(page: Page, label: string | RegExp, key = 'Tab', max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const name = await focused(page);
    if (typeof label === 'string' ? name === label : label.test(name)) return;
  }
  throw new Error(`Tab never reached ${label}`);
}

/** Whether the focused element shows a focus outline. */
function focusVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    const style = element && getComputedStyle(element);
    return Boolean(style && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2);
  });
}

describe('accessibility', () => {
  test('axe finds no serious or critical violations in the list, the forms, a post with comments, and the dark theme', async () => {
    const { page } = await openPage(fixture.browser, { bypassCSP: true });
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    await forum.getByText('An accessible forum').waitFor();
    expect(await seriousViolations(page, 'list')).toEqual([]);

    await forum.getByRole('button', { name: 'Sign up', exact: true }).click();
    expect(await seriousViolations(page, 'sign-up form')).toEqual([]);
    await forum.getByRole('button', { name: 'Sign in', exact: true }).click();
    const form = forum.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Login').fill('kim');
    await form.getByLabel('Password').fill('wrong-password');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await form.getByRole('alert').waitFor();
    expect(await seriousViolations(page, 'sign-in form with an error')).toEqual([]);
    await form.getByLabel('Password').fill('kim-password');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await forum.getByRole('button', { name: 'Submit a post' }).click();
    expect(await seriousViolations(page, 'post composer')).toEqual([]);

    await forum.locator(`.post[data-id="${postId}"]`).getByRole('button', { name: '2 comments' }).click();
    await forum.getByText('A reply').waitFor();
    await forum.getByRole('button', { name: 'Reply' }).first().click();
    expect(await seriousViolations(page, 'post with comments and a reply form')).toEqual([]);

    await forum.evaluate((element) => element.setAttribute('theme', 'dark'));
    await forum.getByRole('button', { name: '← All posts' }).click();
    await forum.getByText('An accessible forum').waitFor();
    expect(await seriousViolations(page, 'dark list')).toEqual([]);
  }, 60_000);

  test('a keyboard alone can sign in, vote and open a post, with visible focus', async () => {
    const { page } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    await forum.getByText('An accessible forum').waitFor();

    await tabTo(page, 'Sign in');
    expect(await focusVisible(page)).toBe(true);
    await page.keyboard.press('Enter');
    await waitFor('the login field to have focus', async () => (await focused(page)) === '');
    await page.keyboard.type('kim');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kim-password');
    const signedIn = nextEvent<LoginEventDetail>(page, 'news-forum-login');
    await page.keyboard.press('Enter');
    expect((await signedIn).user.login).toBe('kim');

    await tabTo(page, 'Upvote: An accessible forum');
    expect(await focusVisible(page)).toBe(true);
    const voted = nextEvent<VoteEventDetail>(page, 'news-forum-vote');
    await page.keyboard.press('Space');
    expect((await voted).vote).toBe(1);
    expect(await forum.getByRole('button', { name: 'Upvote: An accessible forum' }).getAttribute('aria-pressed')).toBe('true');
    expect(await focused(page)).toBe('Upvote: An accessible forum');

    await tabTo(page, '2 comments');
    await page.keyboard.press('Enter');
    await forum.getByText('A reply').waitFor();
    await waitFor('focus on the post heading', async () => (await focused(page)) === 'Threads and replies');
    await tabTo(page, 'Downvote: Threads and replies');
    await page.keyboard.press('Enter');
    await waitFor(
      'the downvote',
      async () => (await forum.getByRole('button', { name: 'Downvote: Threads and replies' }).getAttribute('aria-pressed')) === 'true',
    );

    // Back to the list: focus returns to the post it left from.
    await tabTo(page, '← All posts', 'Shift+Tab');
    await page.keyboard.press('Enter');
    await waitFor('focus back on the post', async () => (await focused(page)) === '2 comments');
  }, 60_000);

  test('the live region says a repeated message again (emptied, then set)', async () => {
    const post = await fixture.env.post(await fixture.env.admin(), 'Say it twice');
    const { page } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    await signIn(page, 'kim');
    const forum = page.locator('news-forum');
    await forum.locator(`.post[data-id="${post.id}"]`).getByRole('button', { name: '0 comments' }).click();
    await forum.getByText('No comments yet.').waitFor();
    await page.evaluate(() => {
      const w = window as unknown as { said: string[] };
      w.said = [];
      const region = document.querySelector('news-forum')!.shadowRoot!.querySelector('[aria-live]')!;
      new MutationObserver(() => {
        const text = region.textContent!.trim();
        if (text !== w.said.at(-1)) w.said.push(text);
      }).observe(region, { subtree: true, childList: true, characterData: true });
    });
    const posted = () =>
      page.evaluate(() => (window as unknown as { said: string[] }).said.filter((text) => text === 'Comment posted.').length);
    for (const [i, body] of ['one', 'two'].entries()) {
      await forum.getByLabel('Add a comment').fill(body);
      await forum.getByRole('button', { name: 'Comment', exact: true }).click();
      await waitFor(`"Comment posted." said ${i + 1} times`, async () => (await posted()) === i + 1);
    }
    await page.context().close();
  }, 60_000);
  test("a reader's own comment: its Delete is a red text link, readable in both themes", async () => {
    const post = await fixture.env.post(await fixture.env.admin(), 'Mine to delete');
    const kim = fixture.env.client();
    await kim.login('kim', 'kim-password');
    await kim.comments.create(post.id, { text: 'My own comment' });
    const { page } = await openPage(fixture.browser, { bypassCSP: true });
    await page.goto(`${fixture.env.url}/`);
    await signIn(page, 'kim');
    const forum = page.locator('news-forum');
    await forum.locator(`.post[data-id="${post.id}"]`).getByRole('button', { name: '1 comment' }).click();
    const remove = forum.locator('.comment').getByRole('button', { name: 'Delete' });
    const colors = () =>
      remove.evaluate((button) => {
        const { color, backgroundColor } = getComputedStyle(button);
        return { color, backgroundColor };
      });
    expect(await colors()).toEqual({ color: 'rgb(185, 28, 28)', backgroundColor: 'rgba(0, 0, 0, 0)' });
    expect(await seriousViolations(page, 'own comment')).toEqual([]);
    await forum.evaluate((element) => element.setAttribute('theme', 'dark'));
    expect(await colors()).toEqual({ color: 'rgb(248, 113, 113)', backgroundColor: 'rgba(0, 0, 0, 0)' });
    expect(await seriousViolations(page, 'own comment, dark')).toEqual([]);
    await page.context().close();
  }, 60_000);
});
