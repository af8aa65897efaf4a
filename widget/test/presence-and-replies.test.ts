import { describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import { openPage } from './support/browser.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';
import { text } from './support/wait.js';

const fixture = useDemoAndBrowser({ PRESENCE_PERIOD: '200ms' });

/** The demo page with the widget alone: its live SDK example (another reader of the front page) is left out. */
async function widgetOnly(page: Page): Promise<void> {
  await page.route('**/app.js', (route) => route.fulfill({ contentType: 'text/javascript', body: '' }));
  await page.goto(`${fixture.env.url}/`);
}

describe('presence and replies in the widget', () => {
  test('readers see how many read the front page and a thread, live', async () => {
    const topic = await fixture.env.post(await fixture.env.user('pia'), 'Who is here');
    const [a, b] = await Promise.all([openPage(fixture.browser), openPage(fixture.browser)]);
    await Promise.all([widgetOnly(a.page), widgetOnly(b.page)]);
    const inA = a.page.locator('news-forum');
    const inB = b.page.locator('news-forum');
    await text(inA.locator('.list [part="presence"]'), '2 reading now');
    await text(inB.locator('.list [part="presence"]'), '2 reading now');

    // A opens the post: A reads the thread alone, B the front page alone.
    await inA.locator(`.post[data-id="${topic.id}"]`).getByRole('button', { name: '0 comments' }).click();
    await text(inA.locator('.thread [part="presence"]'), '1 reading this thread');
    await text(inB.locator('.list [part="presence"]'), '1 reading now');

    // B joins A in the thread.
    await inB.locator(`.post[data-id="${topic.id}"]`).getByRole('button', { name: '0 comments' }).click();
    await text(inA.locator('.thread [part="presence"]'), '2 reading this thread');
    await text(inB.locator('.thread [part="presence"]'), '2 reading this thread');

    // A leaves the page: B reads on alone.
    await a.context.close();
    await text(inB.locator('.thread [part="presence"]'), '1 reading this thread');
    expect([...a.problems.errors, ...b.problems.errors]).toEqual([]);
    await b.context.close();
  }, 60_000);

  test('a reply shows as an unread badge, live, and the list opens the reply', async () => {
    const ann = await fixture.env.user('ann');
    const ben = await fixture.env.user('ben');
    const topic = await fixture.env.post(ann, 'Ask ann');
    const asked = (await ann.comments.create(topic.id, { text: 'Any questions?' })).data!;
    // A reply written while ann was away.
    await ben.comments.create(topic.id, { text: 'One: <b>why</b>?', parentId: asked.id });

    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    await signIn(page, 'ann');
    const badge = forum.locator('[part="unread-badge"]');
    await text(badge, '1');

    // One written while she reads arrives live.
    const live = (await ben.comments.create(topic.id, { text: 'And another.', parentId: asked.id })).data!;
    await text(badge, '2');
    const button = forum.getByRole('button', { name: 'Replies to you, 2 unread' });
    await button.click();
    const list = forum.getByRole('region', { name: 'Replies to you' });
    // User text stays text.
    await list.getByText('One: <b>why</b>?').waitFor();
    expect(await list.locator('b').count()).toBe(0);

    await list.getByRole('button', { name: 'ben replied: And another.' }).click();
    await forum.locator(`[part="comment"][data-id="${live.id}"]`).getByText('And another.').waitFor();
    await text(badge, '1');
    await forum.getByRole('button', { name: 'Replies to you, 1 unread' }).click();
    await list.getByRole('button', { name: 'Mark all read' }).click();
    await badge.waitFor({ state: 'detached' });
    expect((await ann.notifications.list({ unread: true })).data?.unread).toBe(0);
    expect(problems.errors).toEqual([]);
  }, 60_000);
});
