import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { ErrorEventDetail } from '../../src/index.js';

const CHROMIUM = '/usr/bin/chromium';

/**
 * Chromium features turned off. Every context gets a window of its own, and headless Chromium gives each window the
 * address bar's popups (chrome://omnibox-popup.top-chrome), preloaded in a renderer process of their own that takes
 * several times the CPU of the page under test: nothing a test looks at, and on two cores, time off every page opened.
 * Chromium heeds only the last --disable-features, so this one repeats the list Playwright passes
 * (playwright-core 1.65's chromiumSwitches), which stays in force: launchBrowser checks that it still does.
 */
const DISABLED_FEATURES = [
  'AimEnabled',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsFirstBalancedModeAutoEnable',
  'HttpsUpgrades',
  'LensOverlay',
  'MediaRouter',
  'NetworkTimeServiceQuerying',
  'OptimizationHints',
  'PaintHolding',
  'PreconnectToSearch',
  'TcpPortRandomizationWin',
  'ThirdPartyStoragePartitioning',
  'msEdgeUpdateLaunchServicesPreferredVersion',
  'msForceBrowserSignIn',
  // The address bar's popups.
  'WebUIOmniboxPopup',
  'WebUIOmniboxAimPopup',
];

/** Debian's Chromium, headless. Missing it is an error that says how to install it, never a skip. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium (scripts/system-deps.sh does)`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      `--disable-features=${DISABLED_FEATURES.join(',')}`,
    ],
  });
  checked ??= checkDisabledFeatures();
  await checked.catch(async (error: unknown) => {
    await browser.close();
    throw error;
  });
  return browser;
}

let checked: Promise<void> | undefined;

/**
 * Finds a browser launched with DISABLED_FEATURES and fails when the list Playwright passed before it names a
 * feature ours lacks (a Playwright upgrade added one): ours replaces Playwright's, so it must hold all of it.
 */
async function checkDisabledFeatures(): Promise<void> {
  const ours = `--disable-features=${DISABLED_FEATURES.join(',')}`;
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (!args.includes(ours)) continue;
    const playwrights = args.find((arg) => arg.startsWith('--disable-features=') && arg !== ours);
    const missing = (playwrights?.slice('--disable-features='.length).split(',') ?? []).filter((f) => !DISABLED_FEATURES.includes(f));
    if (missing.length)
      throw new Error(`Playwright also disables ${missing.join(', ')}: add it to DISABLED_FEATURES in ${import.meta.url}`);
    return;
  }
  throw new Error('no Chromium launched with DISABLED_FEATURES found in /proc');
}

/** Errors a page reported (uncaught exceptions, console errors, dialogs), for asserting there were none. */
export interface PageProblems {
  errors: string[];
  dialogs: string[];
}

/** Contexts `openPage` opened that are still open, for `closePages`. */
const open = new Set<BrowserContext>();

/**
 * A new page in its own context (own storage, like another browser), which
 * records uncaught errors and dismisses (and records) any dialog.
 */
export async function openPage(
  browser: Browser,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<{ page: Page; context: BrowserContext; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: { width: 960, height: 900 }, ...options });
  open.add(context);
  context.on('close', () => open.delete(context));
  const page = await context.newPage();
  const problems: PageProblems = { errors: [], dialogs: [] };
  page.on('pageerror', (error) => problems.errors.push(error.message));
  page.on('dialog', (dialog) => {
    problems.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { page, context, problems };
}

/**
 * Closes every page `openPage` opened that is still open. Run after each test: a page left open keeps its live
 * socket, and renders every change the forum sends it, on the same two cores as the tests that follow.
 */
export async function closePages(): Promise<void> {
  await Promise.all([...open].map((context) => context.close()));
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
 * Records every `news-forum-error` the page's elements fire from now on (the events bubble to the document);
 * the function returned reads their details (as JSON) so far.
 */
export async function recordForumErrors(page: Page): Promise<() => Promise<ErrorEventDetail[]>> {
  await page.evaluate(() => {
    const errors: unknown[] = [];
    (window as unknown as { forumErrors: unknown[] }).forumErrors = errors;
    document.addEventListener('news-forum-error', (event) => errors.push(JSON.parse(JSON.stringify((event as CustomEvent).detail))));
  });
  return () => page.evaluate(() => (window as unknown as { forumErrors: ErrorEventDetail[] }).forumErrors);
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
