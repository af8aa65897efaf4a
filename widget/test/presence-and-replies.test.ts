import { describe, expect, test } from '@jest/globals';
import type { Page, WebSocketRoute } from 'playwright-core';
import { focused, openPage, recordForumErrors } from './support/browser.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';
import { text, waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser({ PRESENCE_PERIOD: '200ms' });

/** The demo page with the widget alone: its live SDK example (another reader of the front page) is left out. */
async function widgetOnly(page: Page): Promise<void> {
  await page.route('**/app.js', (route) => route.fulfill({ contentType: 'text/javascript', body: '' }));
  await page.goto(`${fixture.env.url}/`);
}

/** `asker`'s post with a question on it, and a first reply to it by `replier`, written before the page opens. */
async function replied(asker: string, replier: string, first: string) {
  const [asking, replying] = [await fixture.env.user(asker), await fixture.env.user(replier)];
  const topic = await fixture.env.post(asking, `Ask ${asker}`);
  const asked = (await asking.comments.create(topic.id, { text: 'Any questions?' })).data!;
  const reply = (text: string) => replying.comments.create(topic.id, { text, parentId: asked.id });
  await reply(first);
  return { asker: asking, reply };
}

/**
 * Counts the page's `method` requests to `url`, and holds the answer to the `nth` (none with 0): the server takes
 * the request at once (`takenByServer`), the page gets the answer on `release()`.
 */
async function holdAnswer(page: Page, url: string, method: string, nth: number) {
  let matched = 0;
  let taken: () => void = () => {};
  let release: () => void = () => {};
  const takenByServer = new Promise<void>((resolve) => (taken = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(url, async (route) => {
    if (route.request().method() !== method || ++matched !== nth) return route.continue();
    const response = await route.fetch();
    taken();
    await released;
    await route.fulfill({ response });
  });
  return { takenByServer, release, matched: () => matched };
}

/**
 * Opens the demo page and signs `login` in (one reply unread); resolves once the page's socket is theirs (`lists`
 * counts the list asked for a second time, on that socket's `live`) and the badge shows the reply.
 */
async function signedInWithOneUnread(page: Page, login: string, lists: { matched(): number }) {
  await page.goto(`${fixture.env.url}/`);
  const forum = page.locator('news-forum');
  await signIn(page, login);
  await waitFor('the list asked for twice', () => lists.matched() === 2);
  const badge = forum.locator('[part="unread-badge"]');
  await text(badge, '1');
  return { forum, badge };
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
    const { asker: ann, reply } = await replied('ann', 'ben', 'One: <b>why</b>?');

    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    await signIn(page, 'ann');
    const badge = forum.locator('[part="unread-badge"]');
    await text(badge, '1');

    // One written while she reads arrives live.
    const live = (await reply('And another.')).data!;
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
    // The badge goes at once, before the server has answered.
    await waitFor('all read on the server', async () => (await ann.notifications.list({ unread: true })).data?.unread === 0);
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('on a phone, the list of replies stays on screen and a reply of one long word wraps in it', async () => {
    const word = 'W'.repeat(300);
    await replied('phoner', 'longworder', word);
    const { page, problems } = await openPage(fixture.browser, { viewport: { width: 360, height: 740 } });
    await widgetOnly(page);
    await signIn(page, 'phoner');
    const forum = page.locator('news-forum');
    await forum.getByRole('button', { name: 'Replies to you, 1 unread' }).click();
    const list = forum.getByRole('region', { name: 'Replies to you' });
    const item = list.getByRole('button', { name: /^longworder replied:/ });
    await item.waitFor();
    const [box, itemBox] = [(await list.boundingBox())!, (await item.boundingBox())!];
    // Its left edge was at -56 px, out of reach; the reply's line ran 1,600 px wide, its start out of sight.
    expect({ left: box.x >= 0, right: box.x + box.width <= 360 }).toEqual({ left: true, right: true });
    expect(itemBox.width).toBeLessThanOrEqual(box.width);
    expect(await item.evaluate((button) => getComputedStyle(button).textAlign)).toBe('start');
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('Escape closes the list of replies, from its button or from inside it, and focus is on the button', async () => {
    await replied('escaper', 'answerer', 'Press Escape');
    const { page, problems } = await openPage(fixture.browser);
    await widgetOnly(page);
    await signIn(page, 'escaper');
    const forum = page.locator('news-forum');
    const button = forum.getByRole('button', { name: 'Replies to you, 1 unread' });
    const list = forum.getByRole('region', { name: 'Replies to you' });
    await button.click();
    await list.waitFor();
    await page.keyboard.press('Escape');
    await list.waitFor({ state: 'detached' });
    await button.click();
    await list.getByRole('button', { name: 'answerer replied: Press Escape' }).focus();
    await page.keyboard.press('Escape');
    await list.waitFor({ state: 'detached' });
    await waitFor('focus on the Replies button', async () => (await focused(page)).startsWith('button.secondary:Replies'));
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('a list on its way when a reply comes live does not take the reply back from the count', async () => {
    const { reply } = await replied('cat', 'dan', 'First.');
    const { page, problems } = await openPage(fixture.browser);
    // The second list, asked for when the socket has become cat's.
    const lists = await holdAnswer(page, '**/me/notifications?*', 'GET', 2);
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    await signIn(page, 'cat');
    await lists.takenByServer;
    const badge = forum.locator('[part="unread-badge"]');
    await text(badge, '1');

    await reply('Second.');
    await text(badge, '2');
    const answered = page.waitForResponse((response) => response.url().includes('/me/notifications?'));
    lists.release();
    await (await answered).finished();
    // The late answer (one unread, read before the reply) has been taken in by now.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect((await badge.textContent())?.trim()).toBe('2');
    expect(lists.matched()).toBe(2);
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('a reply that comes live after a list that held it is counted once', async () => {
    const { reply } = await replied('gus', 'hal', 'First.');
    const { page, problems } = await openPage(fixture.browser);
    // The socket as the server sends it, but for notifications, which wait while `holding`.
    let socket: WebSocketRoute | undefined;
    let holding = false;
    const held: string[] = [];
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      socket = ws;
      const server = ws.connectToServer();
      server.onMessage((message) => {
        if (holding && typeof message === 'string' && message.startsWith('42["notification"')) held.push(message);
        else ws.send(message);
      });
    });
    const lists = await holdAnswer(page, '**/me/notifications?*', 'GET', 0);
    const { forum, badge } = await signedInWithOneUnread(page, 'gus', lists);

    holding = true;
    await reply('Second.');
    await waitFor('the reply’s notification held', () => held.length === 1);
    // The socket drops and comes back: the list is asked for again, and holds the reply.
    const listed = page.waitForResponse((response) => response.url().includes('/me/notifications?'));
    socket!.close();
    await (await listed).finished();
    await text(badge, '2');
    expect(lists.matched()).toBe(3);
    // The reply's event comes after that list.
    holding = false;
    for (const message of held) socket!.send(message);
    // Taken in by now (the page's own socket frames come before its timers).
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
    expect((await badge.textContent())?.trim()).toBe('2');
    await forum.getByRole('button', { name: 'Replies to you, 2 unread' }).click();
    const list = forum.getByRole('region', { name: 'Replies to you' });
    await list.getByRole('button', { name: 'hal replied: Second.' }).waitFor();
    expect(await list.getByRole('button', { name: 'hal replied: Second.' }).count()).toBe(1);
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('signing out while the list is on its way reports no error', async () => {
    await fixture.env.user('ivy');
    const { page, problems } = await openPage(fixture.browser);
    // Every list is held until the page gives up on it.
    let lists = 0;
    await page.route('**/me/notifications?*', async (route) => {
      lists += 1;
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      await route.fulfill({ response }).catch(() => {});
    });
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    const forumErrors = await recordForumErrors(page);
    await signIn(page, 'ivy');
    await waitFor('the list asked for', () => lists > 0);
    const abandoned = page.waitForEvent('requestfailed', (request) => request.url().includes('/me/notifications?'));
    await forum.getByRole('button', { name: 'Sign out' }).click();
    await abandoned;
    // Taken in by now.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect(await forumErrors()).toEqual([]);
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  test('a reply that comes live while "mark all read" is on its way stays unread', async () => {
    const { asker: eve, reply } = await replied('eve', 'fay', 'One.');
    const { page, problems } = await openPage(fixture.browser);
    const lists = await holdAnswer(page, '**/me/notifications?*', 'GET', 0);
    // The server marks at once; its answer (nothing unread) comes after the reply.
    const marking = await holdAnswer(page, '**/me/notifications/read', 'POST', 1);
    const { forum, badge } = await signedInWithOneUnread(page, 'eve', lists);
    await forum.getByRole('button', { name: 'Replies to you, 1 unread' }).click();
    await forum.getByRole('region', { name: 'Replies to you' }).getByRole('button', { name: 'Mark all read' }).click();
    await badge.waitFor({ state: 'detached' });
    await marking.takenByServer;

    await reply('Two.');
    await text(badge, '1');
    marking.release();
    // The answer cannot tell whether it counted the reply: the list is asked for again, and tells.
    await waitFor('the list asked for again', () => lists.matched() === 3);
    await text(badge, '1');
    expect((await eve.notifications.list({ unread: true })).data?.unread).toBe(1);
    expect(problems.errors).toEqual([]);
  }, 60_000);
});
