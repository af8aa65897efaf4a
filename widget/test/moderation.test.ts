import { beforeAll, describe, expect, test } from '@jest/globals';
import { createClient, type Post } from '@news-forum/sdk';
import type axe from 'axe-core';
import type { Page } from 'playwright-core';
import type { ErrorEventDetail } from '../src/index.js';
import { loadAxe } from './support/axe.js';
import { nextEvent, openPage, recordForumErrors } from './support/browser.js';
import { openThreadOf, signIn, useDemoAndBrowser } from './support/fixture.js';
import { text, waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser();

beforeAll(async () => {
  await Promise.all(['ola', 'pia', 'quin', 'sam', 'rue'].map((login) => fixture.env.user(login)));
}, 60_000);

/** Opens the widget's page signed in as `login` (anonymous without), showing the post `postId` with its comments. */
async function openThread(postId: string, login?: string, password?: string): Promise<{ page: Page; problems: { errors: string[] } }> {
  const { page, problems } = await openPage(fixture.browser);
  await page.goto(`${fixture.env.url}/`);
  if (login) await signIn(page, login, password);
  await openThreadOf(page, postId);
  return { page, problems };
}

/** Starts the discussion of the demo site's page `path` with a comment by `login`, sent as the widget sends it from that page (its origin). */
async function startDiscussion(login: string, path: string, text: string): Promise<Post> {
  const { url } = fixture.env;
  const fromPage: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('origin', url);
    return fetch(input, { ...init, headers });
  };
  const forum = createClient({ baseUrl: url, maxRetries: 0, fetch: fromPage });
  try {
    await forum.login(login, `${login}-password`);
    const { data, error } = await forum.pages.comment({ url: `${url}${path}`, text });
    if (error) throw error;
    return data.post;
  } finally {
    forum.close();
  }
}

/** Drops what the forum's live socket sends the page while `held` is set: changes the reader never hears. */
async function holdStream(page: Page): Promise<{ held: boolean }> {
  const stream = { held: false };
  await page.routeWebSocket(/\/socket\.io\//, (socket) => {
    const server = socket.connectToServer();
    server.onMessage((message) => {
      if (!stream.held) socket.send(message);
    });
  });
  return stream;
}

async function seriousViolations(page: Page): Promise<string[]> {
  await loadAxe(page);
  return page.evaluate(async () => {
    const results = await (window as unknown as { axe: typeof axe }).axe.run('news-forum', { resultTypes: ['violations'] });
    return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
  });
}

describe('moderation in the widget', () => {
  test("a moderator hides a comment in one browser and a reader's page shows the placeholder live", async () => {
    const ola = await fixture.env.client();
    await ola.login('ola', 'ola-password');
    const post = await fixture.env.post(ola, 'Heated thread');
    const { data: rude } = await ola.comments.create(post.id, { text: 'Something rude' });
    // Two browsers that know nothing of each other: opened side by side.
    const [reader, moderator] = await Promise.all([openThread(post.id), openThread(post.id, 'admin', 'admin-password-123')]);
    const readerComment = reader.page.locator('news-forum').locator(`.comment[data-id="${rude!.id}"]`);
    await readerComment.getByText('Something rude').waitFor();

    const modComment = moderator.page.locator('news-forum').locator(`.comment[data-id="${rude!.id}"]`);
    await modComment.getByRole('button', { name: 'Hide' }).click();
    await readerComment.getByText('removed by a moderator').waitFor();
    expect(await readerComment.getByText('ola').count()).toBe(0);
    // The moderator still sees it, marked, and can bring it back.
    await modComment.getByText('Hidden').waitFor();
    expect(await modComment.getByText('Something rude').count()).toBe(1);
    expect(await seriousViolations(moderator.page)).toEqual([]);
    await modComment.getByRole('button', { name: 'Restore' }).click();
    await readerComment.getByText('Something rude').waitFor();

    // Locking shows readers the notice instead of a way to comment.
    await moderator.page.locator('news-forum').locator('.moderation').getByRole('button', { name: 'Lock' }).click();
    await reader.page.locator('news-forum').getByText('This thread is locked').waitFor();
    await modComment.getByRole('button', { name: 'Ban author' }).click();
    expect(await seriousViolations(moderator.page)).toEqual([]);
    await moderator.page.locator('news-forum').getByRole('button', { name: 'Ban', exact: true }).click();
    await waitFor('the ban', async () => (await ola.posts.create({ title: 'again' })).error?.status === 403);
    expect(reader.problems.errors).toEqual([]);
    expect(moderator.problems.errors).toEqual([]);
  }, 90_000);

  test('a comment flags hid reads so to readers and "Hidden by flags" to moderators, whose Hide confirms it live', async () => {
    const rue = await fixture.env.client();
    await rue.login('rue', 'rue-password');
    const post = await fixture.env.post(rue, 'Watches, again');
    const { data: spam } = await rue.comments.create(post.id, { text: 'Cheap watches here' });
    const [reader, moderator] = await Promise.all([openThread(post.id), openThread(post.id, 'admin', 'admin-password-123')]);
    const readerComment = reader.page.locator('news-forum').locator(`.comment[data-id="${spam!.id}"]`);
    const modComment = moderator.page.locator('news-forum').locator(`.comment[data-id="${spam!.id}"]`);
    await readerComment.getByText('Cheap watches here').waitFor();
    // FLAG_THRESHOLD readers flag it.
    for (const login of ['pia', 'quin', 'sam']) {
      const flagger = await fixture.env.client();
      await flagger.login(login, `${login}-password`);
      expect((await flagger.moderation.flagComment(post.id, spam!.id, 'spam')).error).toBeUndefined();
    }
    await readerComment.getByText('hidden after flags, pending review').waitFor();
    expect(await readerComment.locator('.author').textContent()).toBe('[hidden]');
    await modComment.getByText('Hidden by flags').waitFor();
    expect(await modComment.getByText('Cheap watches here').count()).toBe(1);
    // Flags hid it: the moderator may keep it hidden (Hide) or bring it back (Restore).
    expect(await modComment.getByRole('button', { name: 'Restore' }).count()).toBe(1);
    await modComment.getByRole('button', { name: 'Hide' }).click();
    await readerComment.getByText('removed by a moderator').waitFor();
    expect(await readerComment.locator('.author').textContent()).toBe('[removed]');
    await modComment.getByText('Hidden', { exact: true }).waitFor();
    expect(await modComment.getByRole('button', { name: 'Hide' }).count()).toBe(0);
    expect(await modComment.getByRole('button', { name: 'Restore' }).count()).toBe(1);
    expect(await seriousViolations(moderator.page)).toEqual([]);
    expect(reader.problems.errors).toEqual([]);
    expect(moderator.problems.errors).toEqual([]);
  }, 90_000);

  test("a ban that also hides the account's content: readers see its comment as a placeholder, its post leave the list and its open thread end", async () => {
    const sam = await fixture.env.client();
    await sam.login('sam', 'sam-password');
    const pia = await fixture.env.client();
    await pia.login('pia', 'pia-password');
    const spam = await fixture.env.post(sam, 'Spam from sam');
    const other = await fixture.env.post(pia, 'An honest thread');
    const { data: spamComment } = await sam.comments.create(other.id, { text: 'Visit my shop' });

    // Four browsers that know nothing of each other: opened side by side.
    const [inList, inThread, onSpam, moderator] = await Promise.all([
      openPage(fixture.browser).then(async (opened) => {
        await opened.page.goto(`${fixture.env.url}/`);
        return opened;
      }),
      openThread(other.id),
      openThread(spam.id),
      openThread(other.id, 'admin', 'admin-password-123'),
    ]);
    const listed = inList.page.locator('news-forum').locator(`.post[data-id="${spam.id}"]`);
    await listed.waitFor();
    const readerComment = inThread.page.locator('news-forum').locator(`.comment[data-id="${spamComment!.id}"]`);
    await readerComment.getByText('Visit my shop').waitFor();

    const forum = moderator.page.locator('news-forum');
    await forum.locator(`.comment[data-id="${spamComment!.id}"]`).getByRole('button', { name: 'Ban author' }).click();
    const form = forum.locator('.moderation-form');
    await form.getByLabel('Ban sam for').selectOption('forever');
    await form.getByLabel('Also hide their posts and comments').check();
    expect(await seriousViolations(moderator.page)).toEqual([]);
    await form.getByRole('button', { name: 'Ban', exact: true }).click();

    await readerComment.getByText('removed by a moderator').waitFor();
    expect(await readerComment.getByText('sam').count()).toBe(0);
    await listed.waitFor({ state: 'detached' });
    await onSpam.page.locator('news-forum').getByText('This post does not exist any more.').waitFor();
    const admin = await fixture.env.admin();
    const { data: log } = await admin.moderation.log();
    expect(log?.items[0]).toMatchObject({ action: 'ban', targetId: 'sam', detail: { hideContent: true, posts: 1, comments: 1 } });
    for (const { problems } of [inList, inThread, onSpam, moderator]) expect(problems.errors).toEqual([]);
  }, 90_000);

  test("signing out closes a moderator's open form: the anonymous reader gets no ban form", async () => {
    const pia = await fixture.env.client();
    await pia.login('pia', 'pia-password');
    const post = await fixture.env.post(pia, 'Moderated, then signed out');
    const { data: comment } = await pia.comments.create(post.id, { text: 'A comment to ban for' });
    const { page, problems } = await openThread(post.id, 'admin', 'admin-password-123');
    const forum = page.locator('news-forum');
    await forum.locator(`.comment[data-id="${comment!.id}"]`).getByRole('button', { name: 'Ban author' }).click();
    await forum.locator('.moderation-form').waitFor();
    await forum.getByRole('button', { name: 'Sign out' }).click();
    await forum.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await forum.locator(`.comment[data-id="${comment!.id}"]`).getByText('A comment to ban for').waitFor();
    expect(await forum.locator('.moderation-form').count()).toBe(0);
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('a thread open while a moderator hides its post, then restores it, shows the post and its comments live again', async () => {
    const pia = await fixture.env.client();
    await pia.login('pia', 'pia-password');
    const post = await fixture.env.post(pia, 'Hidden, then restored');
    await pia.comments.create(post.id, { text: 'Before the hiding' });
    const { page, problems } = await openThread(post.id);
    const forum = page.locator('news-forum');
    await forum.getByText('Before the hiding').waitFor();
    const admin = await fixture.env.admin();
    expect((await admin.moderation.hidePost(post.id, { reason: 'check' })).error).toBeUndefined();
    await forum.getByText('This post does not exist any more.').waitFor();
    expect((await admin.moderation.restorePost(post.id, { reason: 'fine' })).error).toBeUndefined();
    await text(forum.getByRole('heading', { level: 2 }), 'Hidden, then restored');
    await forum.getByText('Before the hiding').waitFor();
    // The comments are live again: one made after the restore arrives.
    await pia.comments.create(post.id, { text: 'After the restore' });
    await forum.getByText('After the restore').waitFor();
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('a reader flags a post with a reason', async () => {
    const pia = await fixture.env.client();
    await pia.login('pia', 'pia-password');
    const post = await fixture.env.post(pia, 'Buy cheap watches');
    const { page, problems } = await openThread(post.id, 'quin');
    const forum = page.locator('news-forum');
    await forum.locator('.moderation').getByRole('button', { name: 'Flag' }).click();
    const form = forum.locator('.moderation-form');
    await form.getByLabel('Why flag this?').selectOption('spam');
    expect(await seriousViolations(page)).toEqual([]);
    // The form's own button is styled as every form's is.
    expect(await form.locator('[part~="submit-button"]').count()).toBe(1);
    await form.getByRole('button', { name: 'Flag' }).click();
    await forum.locator('.moderation-form').waitFor({ state: 'detached' });
    // Seen, not only announced: the post reads as flagged, and is not offered to flag again.
    await text(forum.locator('.moderation [part="flagged"]'), 'Flagged');
    expect(await forum.locator('.moderation').getByRole('button', { name: 'Flag' }).count()).toBe(0);
    const admin = await fixture.env.admin();
    await waitFor('the flag', async () => (await admin.posts.get(post.id)).data?.flagCount === 1);
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('a flag on its way is sent once however often its button is pressed, and signing out abandons it', async () => {
    const pia = await fixture.env.client();
    await pia.login('pia', 'pia-password');
    const post = await fixture.env.post(pia, 'Pressed thrice');
    const { page, problems } = await openThread(post.id, 'quin');
    const forum = page.locator('news-forum');
    const forumErrors = await recordForumErrors(page);
    let flags = 0;
    // Held until the page gives up on it.
    await page.route('**/flags', async (route) => {
      flags += 1;
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      await route.continue().catch(() => {});
    });
    await forum.locator('.moderation').getByRole('button', { name: 'Flag' }).click();
    const submit = forum.locator('.moderation-form').getByRole('button', { name: 'Flag' });
    await submit.evaluate((button: HTMLElement) => {
      button.click();
      button.click();
      button.click();
    });
    await waitFor('the flag sent', () => flags > 0);
    expect(await submit.getAttribute('aria-disabled')).toBe('true');
    const abandoned = page.waitForEvent('requestfailed', (request) => request.url().endsWith('/flags'));
    await forum.getByRole('button', { name: 'Sign out' }).click();
    await abandoned;
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect(flags).toBe(1);
    expect(await forumErrors()).toEqual([]);
    expect(problems.errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  test('the author edits a comment within the window and readers see it marked edited', async () => {
    const quin = await fixture.env.client();
    await quin.login('quin', 'quin-password');
    const post = await fixture.env.post(quin, 'Typos happen');
    const { data: comment } = await quin.comments.create(post.id, { text: 'Teh first' });
    // The reader, the author and another account, each in a browser of its own: opened side by side.
    const [reader, { page, problems }, other] = await Promise.all([
      openThread(post.id),
      openThread(post.id, 'quin'),
      openThread(post.id, 'pia'),
    ]);
    const mine = page.locator('news-forum').locator(`.comment[data-id="${comment!.id}"]`);
    await mine.getByRole('button', { name: 'Edit' }).click();
    const text = mine.getByLabel('Edit your comment');
    expect(await text.inputValue()).toBe('Teh first');
    expect(await seriousViolations(page)).toEqual([]);
    await text.fill('The first');
    await mine.getByRole('button', { name: 'Save' }).click();
    const theirs = reader.page.locator('news-forum').locator(`.comment[data-id="${comment!.id}"]`);
    await theirs.getByText('The first').waitFor();
    await theirs.getByText('(edited)').waitFor();
    // Someone else's comment offers no Edit.
    await other.page.locator('news-forum').locator(`.comment[data-id="${comment!.id}"]`).getByText('The first').waitFor();
    expect(
      await other.page.locator('news-forum').locator(`.comment[data-id="${comment!.id}"]`).getByRole('button', { name: 'Edit' }).count(),
    ).toBe(0);
    expect(problems.errors).toEqual([]);
  }, 60_000);

  test('an edit window the forum could not tell when the page opened is asked again: the author is offered Edit', async () => {
    // An account of its own: the tests before this one ban some.
    const tess = await fixture.env.user('tess');
    const post = await fixture.env.post(tess, 'Opened while the forum was down');
    const { data: comment } = await tess.comments.create(post.id, { text: 'Mine to edit' });
    const { page, problems } = await openPage(fixture.browser);
    // The page's own clock, which runs as usual until moved on (below).
    await page.clock.install();
    // GET /api fails as often as the SDK tries it (3 attempts), then answers.
    let refused = 0;
    await page.route(
      (url) => /^\/api\/?$/.test(url.pathname),
      (route) => {
        refused += 1;
        return route.abort('connectionrefused');
      },
      { times: 3 },
    );
    await page.goto(`${fixture.env.url}/`);
    await signIn(page, 'tess');
    await openThreadOf(page, post.id);
    const forum = page.locator('news-forum');
    const mine = forum.locator(`.comment[data-id="${comment!.id}"]`);
    await mine.getByText('Mine to edit').waitFor();
    // The page asks again seconds after the last refusal: its clock is moved on a second at a time rather than waited for.
    const edit = mine.getByRole('button', { name: 'Edit' });
    await waitFor('Edit offered', async () => {
      if ((await edit.count()) > 0) return true;
      await page.clock.fastForward(1_000);
      return false;
    });
    expect(refused).toBe(3);
    expect(problems.errors).toEqual([]);
  }, 60_000);
  test("a page's discussion a moderator hid is closed to readers, live too; a comment refused for it keeps its text; moderators still see it", async () => {
    await fixture.env.user('una');
    const first = await startDiscussion('una', '/blog/post-1.html', 'Before the hiding');
    const admin = await fixture.env.admin();
    expect((await admin.moderation.hidePost(first.id)).error).toBeUndefined();
    const { page, problems } = await openPage(fixture.browser);
    const stream = await holdStream(page);
    await page.goto(`${fixture.env.url}/blog/post-1.html`);
    await signIn(page, 'quin');
    const forum = page.locator('news-forum');
    const closed = forum.getByText('A moderator closed this discussion: it takes no comments.');
    await closed.waitFor();
    const box = forum.getByRole('textbox', { name: 'Add a comment' });
    expect(await box.count()).toBe(0);
    expect(await forum.getByText('Before the hiding').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    // Restored and hidden again while the reader looks: live.
    await admin.moderation.restorePost(first.id);
    await forum.getByText('Before the hiding').waitFor();
    await admin.moderation.hidePost(first.id);
    await closed.waitFor();

    // Another page's discussion, hidden while the reader writes, unheard: the comment is refused and its text stays.
    const second = await startDiscussion('una', '/blog/post-2.html', 'On the second article');
    await forum.evaluate((element) => element.setAttribute('page', '/blog/post-2.html'));
    await forum.getByText('On the second article').waitFor();
    await box.fill('Written while it closed');
    stream.held = true;
    await admin.moderation.hidePost(second.id);
    const refused = nextEvent<ErrorEventDetail>(page, 'news-forum-error');
    await forum.getByRole('button', { name: 'Comment', exact: true }).click();
    expect(await refused).toMatchObject({
      action: 'comment',
      error: { status: 404, problem: { type: 'urn:news-forum:problem:discussion-hidden' } },
    });
    await closed.waitFor();
    await forum.locator('blockquote').getByText('Written while it closed').waitFor();
    expect(await box.count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    // Restored (heard again): the form is back with the text in it, not sent.
    stream.held = false;
    await admin.moderation.restorePost(second.id);
    await forum.getByText('On the second article').waitFor();
    expect(await box.inputValue()).toBe('Written while it closed');
    expect(await forum.locator('.form-error').count()).toBe(0);
    expect((await admin.comments.list(second.id)).data?.items.map((comment) => comment.text)).toEqual(['On the second article']);

    // A moderator gets the hidden discussion, marked, once signed in.
    const moderator = await openPage(fixture.browser);
    await moderator.page.goto(`${fixture.env.url}/blog/post-1.html`);
    const theirs = moderator.page.locator('news-forum');
    await theirs.getByText('A moderator closed this discussion: it takes no comments.').waitFor();
    await signIn(moderator.page, 'admin', 'admin-password-123');
    await theirs.getByText('Before the hiding').waitFor();
    await theirs.locator('.post.open [part="hidden-badge"]').waitFor();
    for (const { problems: seen } of [{ problems }, moderator]) expect(seen.errors).toEqual([]);
  }, 90_000);

  test("a page's discussion a moderator deleted starts again: readers on the page get the first comment's form, their text in it", async () => {
    await fixture.env.user('vic');
    const path = '/blog/deleted.html';
    const old = await startDiscussion('vic', path, 'Soon deleted');
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/blog/post-1.html`);
    await signIn(page, 'quin');
    const forum = page.locator('news-forum');
    await forum.evaluate((element, page) => element.setAttribute('page', page), path);
    await forum.getByText('Soon deleted').waitFor();
    const box = forum.getByRole('textbox', { name: 'Add a comment' });
    await box.fill('Typed before the deletion');
    const admin = await fixture.env.admin();
    expect((await admin.posts.delete(old.id)).error).toBeUndefined();
    await forum.getByText('No comments yet.').waitFor();
    expect(await box.inputValue()).toBe('Typed before the deletion');
    await forum.getByRole('button', { name: 'Comment', exact: true }).click();
    await forum.locator('.comment').getByText('Typed before the deletion').waitFor();
    const { data: started } = await admin.pages.get(`${fixture.env.url}${path}`);
    expect(started).toMatchObject({ commentCount: 1 });
    expect(started?.id).not.toBe(old.id);
    expect(problems.errors).toEqual([]);
  }, 60_000);
});
