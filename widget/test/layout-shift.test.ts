import { beforeAll, describe, expect, test } from '@jest/globals';
import type { Page, Route } from 'playwright-core';
import { openPage } from './support/browser.js';
import { useDemoAndBrowser } from './support/fixture.js';

const fixture = useDemoAndBrowser();

// As many posts as the demo page shows (its default limit): a front page that fills the element.
const POSTS = 30;

beforeAll(async () => {
  const author = await fixture.env.user('writer');
  for (let i = 1; i <= POSTS; i++) {
    await fixture.env.post(
      author,
      `Story number ${i}: a title long enough to wrap on a phone`,
      i % 2 ? { url: `https://news.example.com/${i}` } : {},
    );
  }
}, 60_000);

declare global {
  interface Window {
    /** The layout shifts so far, without those that follow the reader's input: the page's cumulative layout shift. */
    layoutShift(): number;
  }
}

/**
 * Requests held until `release()`, as on a slow network; WebSockets open, but
 * what they receive is held (page.route() sees HTTP requests only).
 */
async function hold(page: Page, matches: (url: URL) => boolean): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    (url) => matches(url),
    async (route: Route) => {
      await released;
      await route.continue();
    },
  );
  await page.routeWebSocket(
    (url) => matches(url),
    (ws) => {
      // Each message waits for the same promise, so they stay in order.
      ws.connectToServer().onMessage(async (message) => {
        await released;
        ws.send(message);
      });
    },
  );
  return release;
}

/** Resolves after the page has drawn two more frames, so that what is in the DOM has been painted. */
function painted(page: Page): Promise<void> {
  return page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

/**
 * Loads `url` the way a slow connection shows it, each stage painted before
 * the next arrives: the page without the widget's code, then the element
 * loading, then the posts. Returns the cumulative layout shift measured in
 * the page by a PerformanceObserver of `layout-shift` entries.
 */
async function cumulativeLayoutShift(url: string, viewport: { width: number; height: number }, posts: number): Promise<number> {
  const { page, context, problems } = await openPage(fixture.browser, { viewport });
  try {
    await page.addInitScript(() => {
      let total = 0;
      const add = (entries: PerformanceEntryList) => {
        for (const entry of entries as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
          if (!entry.hadRecentInput) total += entry.value;
        }
      };
      const observer = new PerformanceObserver((list) => add(list.getEntries()));
      observer.observe({ type: 'layout-shift', buffered: true });
      window.layoutShift = () => {
        add(observer.takeRecords());
        return total;
      };
    });
    const releaseCode = await hold(page, (url) => /^\/news-forum[.-].*\.js$/.test(url.pathname));
    const releaseData = await hold(page, (url) => url.pathname === '/api/posts' || url.pathname.startsWith('/socket.io/'));
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
    releaseCode();
    const forum = page.locator('news-forum');
    await forum.getByText('Loading…').waitFor();
    await painted(page);
    releaseData();
    await forum
      .locator('[part="post"]')
      .nth(posts - 1)
      .waitFor();
    await forum.locator('[part="status"]').getByText('Live').waitFor();
    await painted(page);
    expect(problems.errors).toEqual([]);
    return await page.evaluate(() => window.layoutShift());
  } finally {
    await context.close();
  }
}

const VIEWPORTS = {
  desktop: { width: 960, height: 900 },
  // Lighthouse's mobile screen.
  phone: { width: 412, height: 823 },
};

describe('the element reserves its room while it loads: cumulative layout shift at most 0.1', () => {
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    test(`on the demo page (${name})`, async () => {
      expect(await cumulativeLayoutShift(`${fixture.env.url}/`, viewport, POSTS)).toBeLessThanOrEqual(0.1);
    }, 60_000);

    test(`on the third-party page (${name})`, async () => {
      // The blog shows ten posts.
      expect(await cumulativeLayoutShift(`${fixture.env.demo.thirdParty.url}/`, viewport, 10)).toBeLessThanOrEqual(0.1);
    }, 60_000);
  }
});
