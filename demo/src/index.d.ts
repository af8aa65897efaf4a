import type { RunningServer, StartOptions } from '@news-forum/server';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A handler to mount with `startServer({ site })` (Express-compatible). */
export type SiteHandler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** The demo site: the widget bundle (plain and content-hashed) and the demo pages. */
export function createDemoSite(options?: { bundleFile?: string; thirdPartyPort?: number }): {
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

/** Starts the forum with the demo site, and the third-party blog on DEMO_THIRD_PARTY_PORT (default PORT+1). */
export function startDemo(options?: StartOptions): Promise<RunningDemo>;
