import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type RunningDemo, startDemo } from '@news-forum/demo';

const bundle = readFileSync(createRequire(import.meta.url).resolve('@news-forum/widget/news-forum.js'));
let demo: RunningDemo;
let dataDir: string;

const env = (dir: string): Record<string, string> => ({
  PORT: '0',
  DEMO_THIRD_PARTY_PORT: '0',
  DATA_DIR: dir,
  JWT_SECRET: 'at-least-32-characters-long-secret-value',
  LOG_LEVEL: 'silent',
});

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'news-forum-demo-'));
  demo = await startDemo({ env: env(dataDir), passwordCost: 1024 });
}, 60_000);

afterAll(async () => {
  await demo?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A raw GET (no automatic decompression), for looking at exactly what a browser gets. */
function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('the demo site', () => {
  test('serves the bundle at /news-forum.js: readable from any origin, cached briefly, revalidated by ETag', async () => {
    const plain = await get(`${demo.forum.url}/news-forum.js`, { origin: 'https://blog.example.com' });
    expect(plain.status).toBe(200);
    expect(plain.body.equals(bundle)).toBe(true);
    expect(plain.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'cache-control': 'public, max-age=300',
      'content-type': 'text/javascript; charset=utf-8',
    });
    const revalidated = await get(`${demo.forum.url}/news-forum.js`, { 'if-none-match': String(plain.headers.etag) });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
  });

  test('serves the same bundle at a content-hashed path, and the modules it loads at theirs: cached for a year, compressed, with source maps', async () => {
    const immutable = { 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=31536000, immutable' };
    expect(demo.bundlePath).toMatch(/^\/news-forum\.[0-9a-f]{12}\.js$/);
    const hashed = await get(`${demo.forum.url}${demo.bundlePath}`);
    expect(hashed.status).toBe(200);
    expect(hashed.headers).toMatchObject(immutable);
    // It points at its own, equally immutable source map.
    const mapName = `${demo.bundlePath.slice(1)}.map`;
    const code = bundle.toString().replace(/\/\/# sourceMappingURL=\S+\s*$/, '');
    expect(hashed.body.toString()).toBe(`${code}//# sourceMappingURL=${mapName}\n`);
    const map = await get(`${demo.forum.url}/${mapName}`);
    expect(map.body.equals(readFileSync(`${createRequire(import.meta.url).resolve('@news-forum/widget/news-forum.js')}.map`))).toBe(true);
    expect(map.headers).toMatchObject(immutable);

    // The bundle re-exports the module with the code, which imports the parts loaded on first use.
    const main = /from\s*["']\.\/([^"']+)["']/.exec(bundle.toString())?.[1];
    expect(main).toMatch(/^news-forum\.[0-9a-f]{12}\.js$/);
    const element = await get(`${demo.forum.url}/${main}`, { 'accept-encoding': 'gzip' });
    expect(element.status).toBe(200);
    expect(element.headers).toMatchObject({ ...immutable, 'content-encoding': 'gzip', 'content-type': 'text/javascript; charset=utf-8' });
    const source = gunzipSync(element.body).toString();
    expect(source).toContain('customElements.define("news-forum"');
    const parts = [...source.matchAll(/import\("\.\/([^"]+)"\)/g)].map((match) => match[1]);
    expect(parts).toEqual([expect.stringMatching(/^news-forum-parts\.[0-9a-f]{12}\.js$/)]);
    for (const name of [...parts, `${main}.map`, `${parts[0]}.map`]) {
      const file = await get(`${demo.forum.url}/${name}`);
      expect([name, file.status]).toEqual([name, 200]);
      expect(file.headers).toMatchObject(immutable);
    }
    expect((await get(`${demo.forum.url}/news-forum.000000000000.js`)).status).toBe(404);
  });

  test("serves the demo page at / with the hashed bundle, under the server's CSP, next to the API and its docs", async () => {
    const page = await get(`${demo.forum.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const html = page.body.toString();
    expect(html).toContain(`<script type="module" src="${demo.bundlePath}"></script>`);
    expect(html).toContain(`data-port="${demo.thirdParty.port}"`);
    expect(html).toContain('href="/docs"');
    // The live SDK example is not a live region: each vote would re-read the whole list.
    expect(html).toMatch(/<ol id="sdk-top"(?![^>]*aria-live)[^>]*>/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=/);
    expect((await get(`${demo.forum.url}/app.js`)).body.toString()).toContain(`from '${demo.bundlePath}'`);
    expect((await get(`${demo.forum.url}/docs/`)).status).toBe(200);
    expect((await get(`${demo.forum.url}/api`)).status).toBe(200);
  });

  test('a path that starts with // names no file and no other host, on the forum and on the blog, and both keep serving', async () => {
    for (const path of ['///', '//news-forum.js', '//evil.example/news-forum.js', '/docs//']) {
      const answer = await get(`${demo.forum.url}${path}`);
      expect([path, answer.status, answer.headers['content-type']]).toEqual([path, 404, 'application/problem+json; charset=utf-8']);
    }
    // `//` is `/` with a trailing slash to the forum's routes, as `/posts/` is `/posts`: its front page.
    const root = await get(`${demo.forum.url}//`);
    expect([root.status, root.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect((await get(`${demo.thirdParty.url}//`)).status).toBe(404);
    expect((await get(`${demo.thirdParty.url}/`)).status).toBe(200);
    expect((await get(`${demo.forum.url}/news-forum.js`)).status).toBe(200);
    expect((await get(`${demo.forum.url}/api`)).status).toBe(200);
  });

  test('serves the third-party page on another origin, embedding the widget from the forum, which lets that origin write', async () => {
    const blog = demo.thirdParty.url;
    expect(new URL(blog).port).not.toBe(new URL(demo.forum.url).port);
    const page = await get(`${blog}/`);
    const forum = demo.forum.url;
    expect(page.body.toString()).toContain(`<script type="module" src="${forum}/news-forum.js"></script>`);
    expect(page.body.toString()).toContain(`<news-forum api="${forum}"`);
    expect(page.headers['content-security-policy']).toContain(`script-src 'self' ${forum}`);
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ${forum} ${forum.replace('http', 'ws')}`);
    // Addressed by the name the reader used.
    const byName = await get(`${blog}/`, { host: `localhost:${demo.thirdParty.port}` });
    expect(byName.body.toString()).toContain(`api="http://localhost:${demo.forum.port}"`);

    for (const origin of [blog, `http://localhost:${demo.thirdParty.port}`]) {
      const preflight = await fetch(`${forum}/api/posts`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    }
  });
});

test("on every interface (HOST=0.0.0.0), the blog may write from any of this machine's addresses", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'news-forum-demo-wild-'));
  const wild = await startDemo({
    env: { PORT: '0', HOST: '0.0.0.0', DATA_DIR: dir, LOG_LEVEL: 'silent', JWT_SECRET: 'at-least-32-characters-long-secret-value' },
  });
  try {
    const port = wild.thirdParty.port;
    const ipv4 = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i?.family === 'IPv4')
      .map((i) => `http://${i!.address}:${port}`);
    expect(wild.forum.config.corsOrigins).toEqual(expect.arrayContaining([`http://localhost:${port}`, ...ipv4]));
  } finally {
    await wild.close();
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);

describe('DEMO_API_URL', () => {
  test("points the page's widget and SDK example at another origin's API, which the page's CSP lets it reach", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'news-forum-demo-api-'));
    const api = 'http://api.localhost:8080';
    const proxied = await startDemo({ env: { ...env(dir), DEMO_API_URL: `${api}/` }, passwordCost: 1024 });
    try {
      const page = await get(`${proxied.forum.url}/`);
      expect(page.body.toString()).toContain(`<news-forum api="${api}"><noscript>`);
      const connect = String(page.headers['content-security-policy'])
        .split(';')
        .find((directive) => directive.trim().startsWith('connect-src'));
      expect(connect?.trim().split(/\s+/)).toEqual(['connect-src', api, "'self'", 'ws:', 'wss:']);
      // Only the page's policy changes.
      expect((await get(`${proxied.forum.url}/docs/`)).headers['content-security-policy']).not.toContain(api);
    } finally {
      await proxied.close();
      await rm(dir, { recursive: true, force: true });
    }
    // Without it, the page uses the server it came from.
    expect((await get(`${demo.forum.url}/`)).body.toString()).toContain('<news-forum api="/"><noscript>');
  }, 60_000);

  test.each(['ftp://api.example.com', 'https://api.example.com/forum', 'not a url', 'http://a"b.example.com', 'http://a;b.example.com'])(
    'refuses %s with a message naming it',
    async (value) => {
      await expect(startDemo({ env: { ...env('/nonexistent'), DEMO_API_URL: value } })).rejects.toThrow(
        `DEMO_API_URL: "${value}" is not an origin such as https://api.forum.example.com`,
      );
    },
  );
});

/** A program started as the forum's operator would, its output gathered; `until` waits for some text in it. */
function launch(command: string, args: string[], options: { cwd?: string; env: Record<string, string> }) {
  const child = spawn(command, args, { ...options, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const until = async (text: string, ms: number) => {
    const deadline = Date.now() + ms;
    while (!output.includes(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };
  /** The address printed for `label` ("forum and demo", "third-party blog"), as 127.0.0.1. */
  const printed = (label: string) =>
    new RegExp(`${label}\\s+(http://localhost:\\d+)/`).exec(output)?.[1]?.replace('localhost', '127.0.0.1');
  return { child, exited, until, printed, output: () => output };
}

describe('demo/start.js', () => {
  test('starts the forum and the blog from the environment, prints both URLs, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'news-forum-start-'));
    const start = fileURLToPath(new URL('../start.js', import.meta.url));
    const demo = launch(process.execPath, [start], { env: env(dir) });
    try {
      await demo.until('third-party blog', 30_000);
      const forum = demo.printed('forum and demo');
      const blog = demo.printed('third-party blog');
      expect(forum && blog).toBeTruthy();
      expect((await fetch(`${forum}/healthz`)).status).toBe(200);
      expect((await fetch(`${blog}/`)).status).toBe(200);
    } finally {
      demo.child.kill('SIGTERM');
      expect(await demo.exited).toBe(0);
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("says in one line which setting is wrong when the blog cannot listen: its port taken, or a HOST that is not this machine's", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const busy = (taken.address() as AddressInfo).port;
    const start = fileURLToPath(new URL('../start.js', import.meta.url));
    try {
      for (const [settings, expected] of [
        [
          { DEMO_THIRD_PARTY_PORT: String(busy) },
          `news-forum: DEMO_THIRD_PARTY_PORT: ${busy} (the third-party blog's port, PORT+1 unless set) is already in use on 127.0.0.1\n`,
        ],
        [{ HOST: '256.1.1.1' }, 'news-forum: HOST: 256.1.1.1 is not an address of this machine\n'],
      ] as const) {
        const dir = await mkdtemp(path.join(tmpdir(), 'news-forum-start-'));
        const demo = launch(process.execPath, [start], { env: { ...env(dir), ...settings } });
        expect(await demo.exited).toBe(1);
        // What it wrote may still be in the pipe at its exit.
        await demo.until(expected, 5000);
        expect(demo.output()).toBe(expected);
        await rm(dir, { recursive: true, force: true });
      }
    } finally {
      taken.close();
    }
  }, 60_000);

  test('`npm start` stopped with SIGTERM stops the node gracefully, leaving nothing running', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'news-forum-npm-start-'));
    const root = fileURLToPath(new URL('../..', import.meta.url));
    // Without its prestart (the build check, which scripts/test.sh's build has made current): the start script alone.
    const npm = launch('npm', ['start', '--ignore-scripts'], { cwd: root, env: { ...env(dir), LOG_LEVEL: 'info' } });
    try {
      await npm.until('third-party blog', 30_000);
      const forum = npm.printed('forum and demo');
      expect(forum).toBeTruthy();
      expect((await fetch(`${forum}/healthz`)).status).toBe(200);
      npm.child.kill('SIGTERM');
      await npm.exited;
      // The node itself got the signal (npm's shell passes it on only to a program it became).
      await npm.until('"msg":"stopped"', 10_000);
      expect(npm.output()).toContain('"msg":"stopped"');
      await expect(fetch(`${forum}/healthz`)).rejects.toThrow();
    } finally {
      npm.child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('stops with one line naming a bad variable', async () => {
    const start = fileURLToPath(new URL('../start.js', import.meta.url));
    const child = spawn(process.execPath, [start], {
      env: { ...process.env, PORT: '0', DEMO_THIRD_PARTY_PORT: 'nope' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe('news-forum: DEMO_THIRD_PARTY_PORT: must be an integer from 0 to 65535 (got "nope")\n');
  }, 30_000);
});
