import { rm } from 'node:fs/promises';
import type { ReadOptions } from '../../src/reads/read-models.js';
import { type RunningServer, startServer } from '../../src/server.js';
import type { Store } from '../../src/store/store.js';
import { type CallOptions, type CallResult, call } from '../support/http-client.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { createRethinkdbStore, startRethinkdb, type TestRethinkdb } from '../support/rethinkdb.js';
import { ADMIN, FLAG_ANY_AGE, RELAXED_LIMITS, TEST_PASSWORD_COST, TEST_SECRET, tempDir } from '../support/server.js';
import type { StoreKind } from '../support/store-adapters.js';
import { createEmbeddedStore, createPostgresStore } from '../support/store-template.js';

/** Two nodes over one database, and the store a test reads it through directly. */
export interface TwoNodes {
  a: RunningServer;
  b: RunningServer;
  /** The database, read without any node's memory. */
  store: Store;
  call<T = any>(node: RunningServer, method: string, path: string, options?: CallOptions): Promise<CallResult<T>>;
  signUp(login: string): Promise<string>;
  adminToken(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Embedded: both nodes share the one PGlite store (each node has its own
 * feed subscriptions and read models). Postgres: each node opens its own
 * connection to one database, as separate machines would; so does
 * rethinkdb, on a server of its own.
 */
export async function startTwoNodes(kind: StoreKind, reads: Partial<ReadOptions>): Promise<TwoNodes> {
  const cleanups: (() => Promise<void>)[] = [];
  let pg: TestPostgres | undefined;
  let rethinkdb: TestRethinkdb | undefined;
  let opened: { store: Store; url?: string; cleanup(): Promise<void> };
  if (kind === 'postgres') {
    pg = await startPostgres();
    opened = await createPostgresStore(pg);
  } else if (kind === 'rethinkdb') {
    rethinkdb = await startRethinkdb();
    opened = await createRethinkdbStore(rethinkdb);
  } else {
    opened = await createEmbeddedStore();
  }
  cleanups.push(() => opened.cleanup());
  if (pg) cleanups.push(() => pg.stop());
  if (rethinkdb) cleanups.push(() => rethinkdb.stop());
  const node = async (name: string) => {
    const dataDir = await tempDir();
    cleanups.unshift(() => rm(dataDir, { recursive: true, force: true }));
    const server = await startServer({
      env: {
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        JWT_SECRET: TEST_SECRET,
        ADMIN_LOGIN: ADMIN.login,
        ADMIN_PASSWORD: ADMIN.password,
        INSTANCE_NAME: name,
        LOG_LEVEL: 'silent',
        ...FLAG_ANY_AGE,
        ...(kind === 'postgres' ? { STORE: 'postgres', DATABASE_URL: opened.url as string } : {}),
        ...(kind === 'rethinkdb' ? { STORE: 'rethinkdb', RETHINKDB_URL: opened.url as string } : {}),
      },
      ...(kind === 'embedded' && { store: opened.store }),
      passwordCost: TEST_PASSWORD_COST,
      limits: RELAXED_LIMITS,
      strictResponses: true,
      reads,
    });
    cleanups.unshift(() => server.close());
    return server;
  };
  const a = await node('node-a');
  const b = await node('node-b');
  const nodes: TwoNodes = {
    a,
    b,
    store: opened.store,
    call: (server, method, path, options) => call(server.url, method, path, options),
    async signUp(login) {
      const created = await call(a.url, 'PUT', `/api/users/${login}`, { body: { password: `${login}-password` } });
      if (created.status !== 201) throw new Error(`sign-up of ${login}: ${created.status}`);
      return (await call(a.url, 'POST', '/api/authenticate', { body: { login, password: `${login}-password` } })).body.token;
    },
    async adminToken() {
      return (await call(a.url, 'POST', '/api/authenticate', { body: ADMIN })).body.token;
    },
    async stop() {
      for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    },
  };
  return nodes;
}

/**
 * Follows a list's cursors from `path` (a URL path with its query) for at most `pages` pages, and counts the
 * pages that came from memory (a strong ETag; the store's answers carry none).
 */
export async function readPages(node: RunningServer, path: string, pages: number): Promise<{ pages: string[]; fromMemory: number }> {
  const texts: string[] = [];
  let fromMemory = 0;
  let cursor: string | null = null;
  for (let i = 0; i < pages; i++) {
    const response = await fetch(`${node.url}${path}${cursor ? `&cursor=${cursor}` : ''}`);
    const text = await response.text();
    texts.push(text);
    if (/^"[^"]+"$/.test(response.headers.get('etag') ?? '')) fromMemory++;
    cursor = (JSON.parse(text) as { nextCursor: string | null }).nextCursor;
    if (!cursor) break;
  }
  return { pages: texts, fromMemory };
}
