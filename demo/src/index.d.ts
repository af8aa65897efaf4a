import type { RunningServer, SiteHandler, StartOptions } from '@news-forum/server';

/** The demo pages; the server serves the widget bundle they load (at `bundlePath`, default the installed widget's). */
export function createDemoSite(options?: { bundlePath?: string; thirdPartyPort?: number; api?: string }): {
  handlers: SiteHandler[];
  /** `/news-forum.<hash>.js`. */
  bundlePath: string;
};

/** The third-party blog: another origin embedding the widget from the forum. */
export function startThirdPartySite(options: { port?: number; host?: string; forum: () => string | undefined }): Promise<{
  url: string;
  port: number;
  close(): Promise<void>;
}>;

/** The running demo. */
export interface RunningDemo {
  forum: RunningServer;
  thirdParty: { url: string; port: number; close(): Promise<void> };
  bundlePath: string;
  close(): Promise<void>;
}

/**
 * Starts the forum with the demo site, and the third-party blog on DEMO_THIRD_PARTY_PORT (default PORT+1); with
 * DEMO_API_URL the page's widget and SDK example use that origin's API.
 */
export function startDemo(options?: StartOptions): Promise<RunningDemo>;
