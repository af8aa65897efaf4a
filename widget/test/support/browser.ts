import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless. Missing it is an error that says how to install it, never a skip. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium (scripts/system-deps.sh does)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Errors a page reported (uncaught exceptions, console errors, dialogs), for asserting there were none. */
export interface PageProblems {
  errors: string[];
  dialogs: string[];
}

/**
 * A new page in its own context (own storage, like another browser), which
 * records uncaught errors and dismisses (and records) any dialog.
 */
export async function openPage(
  browser: Browser,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<{ page: Page; context: BrowserContext; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: { width: 960, height: 900 }, ...options });
  const page = await context.newPage();
  const problems: PageProblems = { errors: [], dialogs: [] };
  page.on('pageerror', (error) => problems.errors.push(error.message));
  page.on('dialog', (dialog) => {
    problems.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { page, context, problems };
}

/** Resolves with the detail of the next `name` event the page's `<news-forum>` fires, as JSON (errors via their `toJSON()`). */
export function nextEvent<T = unknown>(page: Page, name: string, selector = 'news-forum'): Promise<T> {
  return page.evaluate(
    ([name, selector]) =>
      new Promise<T>((resolve) => {
        document
          .querySelector(selector)!
          .addEventListener(name, (event) => resolve(JSON.parse(JSON.stringify((event as CustomEvent<T>).detail)) as T), { once: true });
      }),
    [name, selector] as const,
  );
}

/**
 * What has focus inside the page's `<news-forum>`, as `tag.class:text`: `body` when nothing
 * has, '' when something outside the element has, `host` when the element itself has.
 */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const host = document.querySelector('news-forum')!;
    if (document.activeElement !== host) return document.activeElement === document.body ? 'body' : '';
    const el = host.shadowRoot!.activeElement as HTMLElement | null;
    return el ? `${el.tagName.toLowerCase()}.${el.className}:${el.textContent?.trim() ?? ''}` : 'host';
  });
}

/** Resolves once the page's `<news-forum>` has rendered everything pending (what it has received is on screen). */
export async function rendered(page: Page): Promise<void> {
  await page.evaluate(() => (document.querySelector('news-forum') as HTMLElement & { updateComplete: Promise<boolean> }).updateComplete);
}
