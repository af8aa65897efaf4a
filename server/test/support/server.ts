import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LimitSettings } from '../../src/policy/limits.js';
import { type RunningServer, type StartOptions, startServer } from '../../src/server.js';
import type { Store } from '../../src/store/store.js';
import { type CallOptions, type CallResult, call } from './http-client.js';
import { createRethinkdbStore, startRethinkdb } from './rethinkdb.js';
import { createEmbeddedStore } from './store-template.js';

export const TEST_SECRET = 'test-secret-that-is-at-least-32-characters-long';
export const ADMIN = { login: 'admin', password: 'admin-password-123' };
/** Fast scrypt for tests; production uses 2^17. */
export const TEST_PASSWORD_COST = 2 ** 10;
/** Tests flag with accounts made a moment before; moderation.test.ts tests the age an account needs to flag. */
export const FLAG_ANY_AGE = { FLAG_MIN_ACCOUNT_AGE: '0' } as const;

/** Limits high enough that tests creating many accounts from one IP are not throttled. */
export const RELAXED_LIMITS: Partial<LimitSettings> = {
  requestsPerIp: { max: 100_000, windowMs: 60_000 },
  writesPerUser: { max: 10_000, windowMs: 60_000 },
  loginsPerIp: { max: 10_000, windowMs: 60_000 },
  signupsPerIp: { max: 10_000, windowMs: 60_000 },
};

export interface TestServer {
  server: RunningServer;
  url: string;
  dataDir: string;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<CallResult<T>>;
  /** Creates an account and logs in; returns its token. */
  signUp(login: string, password?: string): Promise<string>;
  login(login: string, password: string): Promise<string>;
  /** Stops the node; the data directory stays until `cleanup`. */
  stop(): Promise<void>;
  /** Starts a new node on the same data directory (and port). */
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export interface TestServerOptions extends Omit<StartOptions, 'env' | 'store'> {
  env?: Record<string, string>;
}

/**
 * A real node on an ephemeral port over an embedded store copied from a
 * prepared template; with TEST_SERVER_STORE=rethinkdb (and a rethinkdb
 * binary), over a RethinkDB server of its own instead, so that a suite such
 * as bad-input.test.ts runs unchanged on RethinkDB.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const onRethinkdb = process.env.TEST_SERVER_STORE === 'rethinkdb';
  const rethinkdb = onRethinkdb ? await startRethinkdb() : undefined;
  const onCluster = rethinkdb && (await createRethinkdbStore(rethinkdb));
  const { store: firstStore, dataDir } = onCluster
    ? { store: onCluster.store as Store, dataDir: await tempDir() }
    : await createEmbeddedStore();
  let store = firstStore;
  const env = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_SECRET,
    ADMIN_LOGIN: ADMIN.login,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'silent',
    ...FLAG_ANY_AGE,
    ...options.env,
  };
  const start = (port: string) =>
    startServer({
      passwordCost: TEST_PASSWORD_COST,
      limits: RELAXED_LIMITS,
      strictResponses: true,
      ...options,
      env: { ...env, PORT: port },
      store,
    });
  let server = await start(env.PORT);
  const test: TestServer = {
    get server() {
      return server;
    },
    get url() {
      return server.url;
    },
    dataDir,
    call: (method, p, o) => call(server.url, method, p, o),
    async signUp(login, password = `${login}-password`) {
      const created = await test.call('PUT', `/api/users/${login}`, { body: { password } });
      if (created.status !== 201) throw new Error(`sign-up of ${login}: ${created.status} ${JSON.stringify(created.body)}`);
      return test.login(login, password);
    },
    async login(login, password) {
      const session = await test.call('POST', '/api/authenticate', { body: { login, password } });
      if (session.status !== 200) throw new Error(`login of ${login}: ${session.status} ${JSON.stringify(session.body)}`);
      return session.body.token as string;
    },
    async stop() {
      await server.close();
      await store.close();
    },
    async restart() {
      const { openStore } = await import('../../src/store/open-store.js');
      store = onCluster
        ? await openStore({ kind: 'rethinkdb', rethinkdbUrl: onCluster.url })
        : await openStore({ kind: 'embedded', dataDir });
      server = await start(String(server.port));
    },
    async cleanup() {
      await server.close();
      await store.close().catch(() => undefined);
      await rethinkdb?.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return test;
}

export async function tempDir(prefix = 'news-forum-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}
