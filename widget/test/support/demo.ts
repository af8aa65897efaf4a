import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDemoSite, type RunningDemo, startDemo } from '@news-forum/demo';
import { createClient, type NewsForumClient, type Post } from '@news-forum/sdk';
import { type RunningServer, type StartOptions, startServer } from '@news-forum/server';

export const ADMIN = { login: 'admin', password: 'admin-password-123' };

/** Settings for a test node: fast hashing, no rate limits in the way. */
export function testOptions(dataDir: string, env: Record<string, string> = {}): StartOptions {
  return {
    env: {
      PORT: '0',
      DEMO_THIRD_PARTY_PORT: '0',
      DATA_DIR: dataDir,
      JWT_SECRET: 'at-least-32-characters-long-secret-value',
      LOG_LEVEL: 'silent',
      ADMIN_LOGIN: ADMIN.login,
      ADMIN_PASSWORD: ADMIN.password,
      // Readers flag with accounts made a moment before.
      FLAG_MIN_ACCOUNT_AGE: '0',
      ...env,
    },
    passwordCost: 1024,
    limits: {
      requestsPerIp: { max: 100_000, windowMs: 60_000 },
      writesPerUser: { max: 100_000, windowMs: 60_000 },
      signupsPerIp: { max: 100_000, windowMs: 60_000 },
      loginsPerIp: { max: 100_000, windowMs: 60_000 },
      socketEventsPerSocket: { max: 100_000, windowMs: 60_000 },
    },
  };
}

/** The demo (forum, demo site, third-party blog) over a fresh data directory, and SDK clients of it. */
export interface TestDemo {
  readonly demo: RunningDemo;
  readonly url: string;
  readonly dataDir: string;
  /** An SDK client (closed by `close()`). */
  client(): NewsForumClient;
  /** A signed-in client of a new account whose password is `${login}-password`. */
  user(login: string): Promise<NewsForumClient>;
  /** The admin, signed in. */
  admin(): Promise<NewsForumClient>;
  /** Creates a post through the API. */
  post(forum: NewsForumClient, title: string, extra?: { url?: string; text?: string }): Promise<Post>;
  close(): Promise<void>;
}

export async function startTestDemo(env: Record<string, string> = {}): Promise<TestDemo> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'news-forum-widget-'));
  const demo = await startDemo(testOptions(dataDir, env));
  const clients: NewsForumClient[] = [];
  const client = () => {
    const forum = createClient({ baseUrl: demo.forum.url, maxRetries: 0 });
    clients.push(forum);
    return forum;
  };
  const signIn = async (login: string, password: string) => {
    const forum = client();
    const { error } = await forum.login(login, password);
    if (error) throw error;
    return forum;
  };
  return {
    demo,
    url: demo.forum.url,
    dataDir,
    client,
    async user(login) {
      const { error } = await client().users.create(login, { password: `${login}-password` });
      if (error) throw error;
      return signIn(login, `${login}-password`);
    },
    admin: () => signIn(ADMIN.login, ADMIN.password),
    async post(forum, title, extra = {}) {
      const { data, error } = await forum.posts.create({ title, ...extra });
      if (error) throw error;
      return data;
    },
    async close() {
      for (const forum of clients) forum.close();
      await demo.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A forum node with the demo site mounted, on a given port and data directory (to restart one). */
export function startForum(dataDir: string, port: number): Promise<RunningServer> {
  const options = testOptions(dataDir, { PORT: String(port) });
  return startServer({ ...options, site: createDemoSite().handlers });
}
