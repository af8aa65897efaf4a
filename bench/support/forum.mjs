import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { answers200, freePort, spawnServer, until } from './processes.mjs';

const NODE = fileURLToPath(new URL('../servers/forum-node.mjs', import.meta.url));
export const JWT_SECRET = 'bench-secret-that-is-at-least-32-characters-long';

/** A temp directory, removed by `remove()`. */
export async function tempDir(prefix) {
  const dir = await mkdtemp(path.join(tmpdir(), `news-forum-bench-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Starts a forum node in its own process on the servers' core, configured by
 * the environment as `news-forum-server` is: `store` is `embedded` (in
 * `dataDir`) or `postgres` (at `databaseUrl`). Resolves once `/readyz`
 * answers 200, with `startMs`, the time from spawning to that answer.
 * `nodeArgs` go to Node before the program (e.g. `--cpu-prof` to profile it);
 * `program` replaces servers/forum-node.mjs (e.g. one that loads another build).
 */
export async function startForum({ store, dataDir, databaseUrl, env: extra = {}, nodeArgs = [], program = NODE }) {
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    STORE: store,
    DATA_DIR: dataDir,
    ...(databaseUrl && { DATABASE_URL: databaseUrl }),
    ...extra,
    JWT_SECRET,
    LOG_LEVEL: 'error',
    // Every benchmark client comes from 127.0.0.1: thousands of sockets from one address.
    MAX_CONNECTIONS_PER_IP: '100000',
  };
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const server = spawnServer(`forum node (${store})`, process.execPath, [...nodeArgs, program], { env });
  // A new embedded data directory is created on start: a minute on a busy machine.
  await until(server, () => answers200(`${url}/readyz`), { timeoutMs: 180_000 });
  return { url, pid: server.child.pid, startMs: performance.now() - started, stop: () => server.stop() };
}

/** One JSON call to the forum's API; throws on an answer that is not 2xx (the error has its `status`). */
export async function api(url, method, route, { token, body } = {}) {
  const request = () =>
    fetch(`${url}/api${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: body && JSON.stringify(body),
    });
  // On a loaded machine a keep-alive connection may be closed by the server just as a request goes out on it.
  const response = await request().catch((error) => {
    if (error.cause?.code !== 'UND_ERR_SOCKET') throw error;
    return request();
  });
  const text = await response.text();
  if (!response.ok) throw Object.assign(new Error(`${method} ${route}: ${response.status} ${text}`), { status: response.status });
  return text ? JSON.parse(text) : undefined;
}

/** Creates `count` accounts through the API, 50 at a time; resolves to their tokens. */
export async function createAccounts(url, count, prefix = 'bench') {
  const tokens = [];
  for (let i = 0; i < count; i += 50) {
    const logins = Array.from({ length: Math.min(50, count - i) }, (_, j) => `${prefix}-${i + j}`);
    tokens.push(
      ...(await Promise.all(
        logins.map(async (login) => {
          // 409: a retried request whose first attempt had made the account.
          await api(url, 'PUT', `/users/${login}`, { body: { password: 'bench-password' } }).catch((error) => {
            if (error.status !== 409) throw error;
          });
          return (await api(url, 'POST', '/authenticate', { body: { login, password: 'bench-password' } })).token;
        }),
      )),
    );
  }
  return tokens;
}

/** Creates `count` posts by `token`; resolves to their ids. */
export async function createPosts(url, token, count) {
  const ids = [];
  for (let i = 0; i < count; i += 1) {
    const post = await api(url, 'POST', '/posts', {
      token,
      body: { title: `Benchmark post number ${i} with a title of a usual length`, url: `https://example.com/articles/${i}` },
    });
    ids.push(post.id);
  }
  return ids;
}
