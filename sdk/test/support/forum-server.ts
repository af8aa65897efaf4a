import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { startServer } from '@news-forum/server';
import { type ClientOptions, createClient, type NewsForumClient } from '../../src/index.js';

export const ADMIN = { login: 'admin', password: 'admin-password-123' };

type Running = Awaited<ReturnType<typeof startServer>>;

/** A real news-forum node on a free port over its own data directory. */
export interface ForumServer {
  readonly url: string;
  readonly port: number;
  /** Stops the node; the data directory stays. */
  stop(): Promise<void>;
  /** Starts a node again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops the node and removes its data directory. */
  cleanup(): Promise<void>;
}

export async function startForumServer(): Promise<ForumServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'news-forum-sdk-'));
  const boot = (port: number) =>
    startServer({
      env: {
        PORT: String(port),
        DATA_DIR: dataDir,
        JWT_SECRET: 'a-32-char-or-longer-test-secret-value',
        ADMIN_LOGIN: ADMIN.login,
        ADMIN_PASSWORD: ADMIN.password,
        LOG_LEVEL: 'silent',
        // Tests flag with accounts made a moment before.
        FLAG_MIN_ACCOUNT_AGE: '0',
        // Presence counts within a fraction of a second, so tests of them stay short.
        PRESENCE_PERIOD: '200ms',
      },
      // Fast password hashing, and room for tests that vote in bursts from one account.
      passwordCost: 2 ** 10,
      limits: {
        requestsPerIp: { max: 100_000, windowMs: 60_000 },
        writesPerUser: { max: 10_000, windowMs: 60_000 },
        loginsPerIp: { max: 10_000, windowMs: 60_000 },
        signupsPerIp: { max: 10_000, windowMs: 60_000 },
      },
      strictResponses: true,
    });
  let running: Running | undefined = await boot(0);
  const port = running.port;
  const url = running.url;
  const stop = async () => {
    await running?.close();
    running = undefined;
  };
  return {
    url,
    port,
    stop,
    async start() {
      running = await boot(port);
    },
    async cleanup() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A server for the test file, and SDK clients of it that are closed afterwards. */
export interface ForumFixture {
  readonly server: ForumServer;
  client(options?: Omit<ClientOptions, 'baseUrl'>): NewsForumClient;
  /** A client logged in as a new account whose password is `${login}-password`. */
  signUp(login: string, options?: Omit<ClientOptions, 'baseUrl'>): Promise<NewsForumClient>;
}

/** Starts a server before the file's tests and cleans up after them. */
export function useForumServer(): ForumFixture {
  let server: ForumServer | undefined;
  const clients: NewsForumClient[] = [];
  beforeAll(async () => {
    server = await startForumServer();
  }, 60_000);
  afterAll(async () => {
    for (const forum of clients) forum.close();
    await server?.cleanup();
  });
  const fixture: ForumFixture = {
    get server() {
      if (!server) throw new Error('The server starts in beforeAll');
      return server;
    },
    client(options = {}) {
      const forum = createClient({ baseUrl: fixture.server.url, ...options });
      clients.push(forum);
      return forum;
    },
    async signUp(login, options) {
      const forum = fixture.client(options);
      const created = await forum.users.create(login, { password: `${login}-password` });
      if (created.error) throw created.error;
      const session = await forum.login(login, `${login}-password`);
      if (session.error) throw session.error;
      return forum;
    },
  };
  return fixture;
}
