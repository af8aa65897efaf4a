import { describe, expect, test } from '@jest/globals';
import { openPage } from './support/browser.js';
import { openThreadOf, signIn, useDemoAndBrowser } from './support/fixture.js';

const fixture = useDemoAndBrowser({ FLAG_MIN_ACCOUNT_AGE: '1h' });

/**
 * `login` signed in on a page whose clock starts `aheadMs` ahead of this one, with the thread of `postId` open (its
 * comment form shown); its Flag button for the post.
 */
async function threadAs(postId: string, login: string, password?: string, aheadMs = 0) {
  const { page, problems } = await openPage(fixture.browser);
  await page.clock.install({ time: Date.now() + aheadMs });
  await page.goto(`${fixture.env.url}/`);
  await signIn(page, login, password);
  await openThreadOf(page, postId);
  const forum = page.locator('news-forum');
  await forum.getByLabel('Add a comment').waitFor();
  return { page, problems, flag: forum.locator('.moderation').getByRole('button', { name: 'Flag' }) };
}

describe('an account younger than FLAG_MIN_ACCOUNT_AGE', () => {
  test('is offered no Flag, which a moderator is, until it is old enough on the page clock', async () => {
    const post = await fixture.env.post(await fixture.env.user('ivy'), 'Flagged by the old only');
    await fixture.env.user('newcomer');
    const [reader, moderator] = await Promise.all([threadAs(post.id, 'newcomer'), threadAs(post.id, 'admin', 'admin-password-123')]);
    await moderator.flag.waitFor();
    // Until the forum says how old an account must be, Flag is offered: once it has, the reader's goes.
    await reader.flag.waitFor({ state: 'detached' });

    // The element's clock moves every 30 s: an hour later on the page, the account is old enough.
    await reader.page.clock.fastForward(60 * 60 * 1000 + 30_000);
    await reader.flag.waitFor();
    expect(reader.problems.errors).toEqual([]);
    expect(moderator.problems.errors).toEqual([]);
  }, 60_000);

  test("offers Flag at the first render after the account is old enough, not at the next tick of the element's 30 s clock", async () => {
    const poster = await fixture.env.user('kai');
    const post = await fixture.env.post(poster, 'Flagged once old enough');
    await fixture.env.user('patient');
    const reader = await threadAs(post.id, 'patient');
    await reader.flag.waitFor({ state: 'detached' });
    // The page's time moves past the account's first hour without firing a timer: the element's clock does not tick.
    await reader.page.clock.setSystemTime(Date.now() + 60 * 60 * 1000 + 60_000);
    // Anything that renders again (a comment arriving live) shows Flag; the next tick is up to 30 s away.
    await poster.comments.create(post.id, { text: 'Something to render' });
    await reader.page.locator('news-forum').getByText('Something to render').waitFor();
    await reader.flag.waitFor({ timeout: 10_000 });
    expect(reader.problems.errors).toEqual([]);
  }, 60_000);

  test("counts the account's age on the server's clock, not a page clock set hours ahead; an admin-only account flags at once", async () => {
    const post = await fixture.env.post(await fixture.env.user('jay'), 'Flagged from a fast clock');
    await fixture.env.user('hurried');
    const admin = await fixture.env.admin();
    const { error } = await admin.users.create('overseer', { password: 'overseer-password', scopes: ['read', 'admin'] });
    expect(error).toBeUndefined();
    const twoHours = 2 * 60 * 60 * 1000;
    const [hurried, overseer] = await Promise.all([
      threadAs(post.id, 'hurried', undefined, twoHours),
      threadAs(post.id, 'overseer', undefined, twoHours),
    ]);
    await overseer.flag.waitFor();
    await hurried.flag.waitFor({ state: 'detached' });
    expect(hurried.problems.errors).toEqual([]);
    expect(overseer.problems.errors).toEqual([]);
  }, 60_000);
});
