import { describe, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import { openPage } from './support/browser.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';
import { text, waitFor } from './support/wait.js';

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

  test('a list on its way when a reply comes live does not take the reply back from the count', async () => {
    const cat = await fixture.env.user('cat');
    const dan = await fixture.env.user('dan');
    const topic = await fixture.env.post(cat, 'Ask cat');
    const asked = (await cat.comments.create(topic.id, { text: 'Anything?' })).data!;
    await dan.comments.create(topic.id, { text: 'First.', parentId: asked.id });

    const { page, problems } = await openPage(fixture.browser);
    // The second list (asked for when the socket became cat's) is read by the server at once, answered late.
    let lists = 0;
    let fetched: () => void = () => {};
    let release: () => void = () => {};
    const secondFetched = new Promise<void>((resolve) => (fetched = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/me/notifications?*', async (route) => {
      if (route.request().method() !== 'GET' || ++lists !== 2) return route.continue();
      const response = await route.fetch();
      fetched();
      await released;
      await route.fulfill({ response });
    });
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    await signIn(page, 'cat');
    await secondFetched;
    const badge = forum.locator('[part="unread-badge"]');
    await text(badge, '1');

    await dan.comments.create(topic.id, { text: 'Second.', parentId: asked.id });
    await text(badge, '2');
    const answered = page.waitForResponse((response) => response.url().includes('/me/notifications?'));
    release();
    await (await answered).finished();
    // The late answer (one unread, read before the reply) has been taken in by now.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect((await badge.textContent())?.trim()).toBe('2');
    expect(lists).toBe(2);
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('a reply that comes live while "mark all read" is on its way stays unread', async () => {
    const eve = await fixture.env.user('eve');
    const fay = await fixture.env.user('fay');
    const topic = await fixture.env.post(eve, 'Ask eve');
    const asked = (await eve.comments.create(topic.id, { text: 'Well?' })).data!;
    await fay.comments.create(topic.id, { text: 'One.', parentId: asked.id });

    const { page, problems } = await openPage(fixture.browser);
    let lists = 0;
    await page.route('**/me/notifications?*', (route) => {
      lists += 1;
      return route.continue();
    });
    // The server marks at once; its answer (nothing unread) comes after the reply.
    let marked: () => void = () => {};
    let release: () => void = () => {};
    const markedOnServer = new Promise<void>((resolve) => (marked = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/me/notifications/read', async (route) => {
      const response = await route.fetch();
      marked();
      await released;
      await route.fulfill({ response });
    });
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    await signIn(page, 'eve');
    // The second list is asked for when the socket has become eve's.
    await waitFor('the list asked for twice', () => lists === 2);
    const badge = forum.locator('[part="unread-badge"]');
    await text(badge, '1');
    await forum.getByRole('button', { name: 'Replies to you, 1 unread' }).click();
    await forum.getByRole('region', { name: 'Replies to you' }).getByRole('button', { name: 'Mark all read' }).click();
    await badge.waitFor({ state: 'detached' });
    await markedOnServer;

    await fay.comments.create(topic.id, { text: 'Two.', parentId: asked.id });
    await text(badge, '1');
    release();
    // The answer cannot tell whether it counted the reply: the list is asked for again, and tells.
    await waitFor('the list asked for again', () => lists === 3);
    await text(badge, '1');
    expect((await eve.notifications.list({ unread: true })).data?.unread).toBe(1);
    expect(problems.errors).toEqual([]);
  }, 60_000);
});
