import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import type { LoginEventDetail } from '../../src/index.js';
import { closePages, launchBrowser, nextEvent } from './browser.js';
import { startTestDemo, type TestDemo } from './demo.js';

/** The demo and a browser for the test file: started before its tests, closed after; the pages a test opened close after it. */
export interface Fixture {
  readonly env: TestDemo;
  readonly browser: Browser;
}

export function useDemoAndBrowser(env?: Record<string, string>): Fixture {
  let demo: TestDemo | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [demo, browser] = await Promise.all([startTestDemo(env), launchBrowser()]);
  }, 60_000);
  afterEach(closePages);
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });
  return {
    get env() {
      if (!demo) throw new Error('The demo starts in beforeAll');
      return demo;
    },
    get browser() {
      if (!browser) throw new Error('The browser starts in beforeAll');
      return browser;
    },
  };
}

/** Signs in through the widget's form (password `${login}-password` unless given). */
export async function signIn(page: Page, login: string, password = `${login}-password`): Promise<LoginEventDetail> {
  const forum = page.locator('news-forum');
  await forum.getByRole('button', { name: 'Sign in', exact: true }).click();
  const form = forum.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Login').fill(login);
  await form.getByLabel('Password').fill(password);
  const signedIn = nextEvent<LoginEventDetail>(page, 'news-forum-login');
  await form.getByRole('button', { name: 'Sign in' }).click();
  return signedIn;
}

/** Opens the thread of the post `postId` from the list the page's `<news-forum>` shows, and waits until it shows. */
export async function openThreadOf(page: Page, postId: string): Promise<void> {
  const forum = page.locator('news-forum');
  await forum
    .locator(`.post[data-id="${postId}"]`)
    .getByRole('button', { name: /comment/ })
    .click();
  await forum.locator('#thread-title').waitFor();
}
