import { describe, expect, test } from '@jest/globals';
import { openPage } from './support/browser.js';
import { signIn, useDemoAndBrowser } from './support/fixture.js';
import { text, waitFor } from './support/wait.js';

const fixture = useDemoAndBrowser();

const SCRIPT_URL = 'javascript:alert(document.domain)';

describe('user text', () => {
  test('renders as text: markup in titles, post texts and comments creates no element and runs nothing', async () => {
    const mallory = await fixture.env.user('mallory');
    const title = '<img src=x onerror=alert(1)>';
    const post = await fixture.env.post(mallory, title, { text: '<b>bold?</b><iframe src="javascript:alert(3)"></iframe>' });
    await mallory.comments.create(post.id, { text: '<script>alert(2)</script>' });
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    await forum.getByRole('button', { name: title, exact: true }).click();
    await forum.getByText('<script>alert(2)</script>').waitFor();
    await forum.getByText('<b>bold?</b><iframe src="javascript:alert(3)"></iframe>').waitFor();
    expect(await forum.getByRole('heading', { level: 2 }).textContent()).toBe(title);
    for (const tag of ['img', 'script', 'b', 'iframe']) expect(await forum.locator(tag).count()).toBe(0);
    expect(problems).toEqual({ errors: [], dialogs: [] });
  }, 30_000);

  test('links only http(s) URLs, with rel="noopener noreferrer nofollow ugc"', async () => {
    const poster = await fixture.env.user('linker');
    const post = await fixture.env.post(poster, 'A real link', { url: 'https://example.com/a?b=c' });
    // The server refuses other schemes outright; the widget does not rely on that (below).
    const refused = await poster.posts.create({ title: 'Sneaky', url: SCRIPT_URL });
    expect(refused.error?.status).toBe(422);

    const { page } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    const link = page.locator('news-forum').locator(`.post[data-id="${post.id}"] a`);
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('https://example.com/a?b=c');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer nofollow ugc');
    expect(await link.getAttribute('target')).toBe('_blank');
  }, 30_000);

  test('a javascript: URL coming from the REST API is not made a link', async () => {
    const poster = await fixture.env.user('rester');
    const post = await fixture.env.post(poster, 'Injected by REST', { url: 'https://example.com/' });
    const { page, problems } = await openPage(fixture.browser);
    // A compromised or buggy server: the post comes back with a script URL (and a high version, so the stream does not replace it).
    await page.route(`**/api/posts/${post.id}`, async (route) => {
      const response = await route.fetch();
      const body = { ...(await response.json()), url: SCRIPT_URL, version: 1_000_000 };
      await route.fulfill({ response, json: body });
    });
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    await forum.locator(`.post[data-id="${post.id}"]`).getByRole('button', { name: '0 comments' }).click();
    const heading = forum.getByRole('heading', { level: 2 });
    await heading.getByRole('button', { name: 'Injected by REST', exact: true }).waitFor();
    expect(await forum.locator('a[href^="javascript"], a[href*="alert"]').count()).toBe(0);
    await heading.getByRole('button', { name: 'Injected by REST', exact: true }).click();
    expect(problems).toEqual({ errors: [], dialogs: [] });
  }, 30_000);

  test('a javascript: URL coming from the live stream is not made a link', async () => {
    const poster = await fixture.env.user('streamer');
    const post = await fixture.env.post(poster, 'Injected live', { url: 'https://example.com/' });
    const { page, problems } = await openPage(fixture.browser);
    let subscribed = false;
    // A compromised or buggy server: every post on the stream carries a script URL.
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        // An acknowledgement (Socket.IO packet 3): the subscription's, the only one the element asks for.
        if (typeof message === 'string' && message.startsWith('43')) subscribed = true;
        if (typeof message !== 'string' || !message.startsWith('42["post')) return ws.send(message);
        // One change (`poststream`) or a batch of them (`postpatches`, which the SDK asks for, or another kind).
        const [name, payload] = JSON.parse(message.slice(2));
        for (const change of name === 'poststream' ? [payload] : payload) {
          if (change.new_val) change.new_val.url = SCRIPT_URL;
          if (change.set) change.set.url = SCRIPT_URL;
        }
        ws.send(`42${JSON.stringify([name, payload])}`);
      });
    });
    await page.goto(`${fixture.env.url}/`);
    const forum = page.locator('news-forum');
    const item = forum.locator(`.post[data-id="${post.id}"]`);
    await item.getByRole('link', { name: 'Injected live' }).waitFor();
    await waitFor('the subscription to be acknowledged', () => subscribed);
    await poster.posts.upvote(post.id);
    await text(item.locator('[part="score"]'), '1 point');
    await item.getByRole('button', { name: 'Injected live', exact: true }).waitFor();
    expect(await forum.locator('a[href^="javascript"]').count()).toBe(0);
    expect(problems).toEqual({ errors: [], dialogs: [] });
  }, 30_000);

  test("a right-to-left override in a title does not reach the link's domain shown after it", async () => {
    const spoofer = await fixture.env.user('spoofer');
    // Read backwards, "gro.elpmaxe" is example.org: with the override running on, the row read "(tset.live) example.org".
    const post = await fixture.env.post(spoofer, 'Totally safe link \u202Egro.elpmaxe', { url: 'https://evil.test/' });
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    const domain = page.locator('news-forum').locator(`.post[data-id="${post.id}"] .domain`);
    await text(domain, '(evil.test)');
    // Where its first and last characters are drawn: left to right, "(" before ")".
    const [first, last] = await domain.evaluate((span) => {
      // Lit renders "(", the hostname and ")" as text nodes of their own.
      const texts = [...span.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE && node.textContent);
      const at = (node: Node, offset: number) => {
        const range = document.createRange();
        range.setStart(node, offset);
        range.setEnd(node, offset + 1);
        return range.getBoundingClientRect().left;
      };
      const end = texts.at(-1)!;
      return [at(texts[0]!, 0), at(end, end.textContent!.length - 1)];
    });
    expect(first).toBeLessThan(last);
    expect(problems.errors).toEqual([]);
  }, 30_000);

  test('a display name without a space in it stays within a phone-wide page: the page does not scroll sideways', async () => {
    const client = fixture.env.client();
    const { error } = await client.users.create('longname', { password: 'longname-password', displayName: 'X'.repeat(64) });
    expect(error).toBeUndefined();
    const { page, problems } = await openPage(fixture.browser, { viewport: { width: 360, height: 740 } });
    await page.goto(`${fixture.env.url}/`);
    await signIn(page, 'longname');
    await page.locator('news-forum').getByText('X'.repeat(64)).waitFor();
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.window);
    expect(problems.errors).toEqual([]);
  }, 30_000);

  test("on a right-to-left page, the element's English words keep their order; an Arabic title takes its own direction", async () => {
    const poster = await fixture.env.user('arabic');
    const post = await fixture.env.post(poster, 'مرحبا بالعالم');
    const { page, problems } = await openPage(fixture.browser);
    await page.goto(`${fixture.env.url}/`);
    await page.evaluate(() => document.documentElement.setAttribute('dir', 'rtl'));
    const forum = page.locator('news-forum');
    const title = forum.locator(`.post[data-id="${post.id}"] [part="title"]`);
    await title.waitFor();
    // It read "minutes ago 6" and "comments 4" there.
    expect(await forum.locator('[part="base"]').evaluate((base) => [getComputedStyle(base).direction, base.getAttribute('lang')])).toEqual([
      'ltr',
      'en',
    ]);
    expect(await title.evaluate((element) => getComputedStyle(element).unicodeBidi)).toBe('plaintext');
    expect(problems.errors).toEqual([]);
  }, 30_000);
});
