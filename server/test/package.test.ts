import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sh, useInstalledPackage } from '../../scripts/testing/install-alone.js';

const installed = useInstalledPackage('server', new URL('consumer', import.meta.url));

it('ships its build, the contract, README and LICENSE, and no build info', () => {
  expect(installed().files).toEqual(
    expect.arrayContaining(['LICENSE', 'README.md', 'openapi.yaml', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cli.js']),
  );
  expect(
    installed().files.filter(
      (file) => !/^(dist\/|LICENSE$|README\.md$|openapi\.yaml$|package\.json$)/.test(file) || file.endsWith('.tsbuildinfo'),
    ),
  ).toEqual([]);
});

it('imports as ESM', async () => {
  const out = JSON.parse(await sh(process.execPath, ['esm.mjs'], installed().app));
  expect(out.exports).toEqual(
    expect.arrayContaining(['startServer', 'createApp', 'loadConfig', 'ConfigError', 'loadWidgetBundle', 'serveFile']),
  );
  // The subpath the deploy tools read their etcd settings with.
  expect(out.etcd).toEqual({ endpoints: ['http://127.0.0.1:2379'], auth: { username: 'node', password: 'pw' } });
}, 60_000);

it('type-checks a consumer under tsc --strict', async () => {
  await installed().typeCheck(['usage.ts'], { lib: ['ES2023'], types: ['node'] });
}, 120_000);

describe('its bin, news-forum-server', () => {
  let child: ChildProcess;
  let url: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'news-forum-bin-'));
    child = spawn(path.join(installed().app, 'node_modules', '.bin', 'news-forum-server'), [], {
      cwd: installed().app,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        JWT_SECRET: 'a-32-char-or-longer-test-secret-value',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`news-forum-server exited (${String(code)}) before listening:\n${stderr}`);
    });
    const listening = (async () => {
      for await (const line of createInterface({ input: child.stdout! })) {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening' && entry.url) return entry.url;
      }
      throw new Error(`news-forum-server closed its output before listening:\n${stderr}`);
    })();
    url = await Promise.race([listening, exited]);
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('serves /api', async () => {
    const response = await fetch(`${url}/api`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: 'news-forum', version: '1.0.0' });
  });

  it('starts an empty data directory from the packed template, which takes writes and feeds them live', async () => {
    // npm pack drops empty directories; PostgreSQL needs them (pg_notify holds what NOTIFY sends).
    expect(existsSync(path.join(dataDir, 'pglite', 'pg_notify'))).toBe(true);
    const signup = await fetch(`${url}/api/users/packed`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'packed-password-1' }),
    });
    expect(signup.status).toBe(201);
    const { token } = (await (
      await fetch(`${url}/api/authenticate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'packed', password: 'packed-password-1' }),
      })
    ).json()) as { token: string };
    const created = await fetch(`${url}/api/posts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ title: 'from the package' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    // The front page comes from memory, which only the change feed fills.
    for (let i = 0; i < 100; i++) {
      const page = (await (await fetch(`${url}/api/posts?sort=new`)).json()) as { items: { id: string }[] };
      if (page.items.some((post) => post.id === id)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the new post never reached the front page');
  }, 30_000);

  it('answers a body in another charset with 415 from the bundle, which leaves the multi-byte charset tables out', async () => {
    for (const charset of ['shift_jis', 'utf-16le']) {
      const response = await fetch(`${url}/api/users/charset-${charset.replace('_', '-')}`, {
        method: 'PUT',
        headers: { 'content-type': `application/json; charset=${charset}` },
        body: JSON.stringify({ password: 'packed-password-1' }),
      });
      expect(response.status).toBe(415);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('serves the API docs at /docs', async () => {
    const response = await fetch(`${url}/docs/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger-ui');
  });

  it('serves the widget bundle of the installed widget at /news-forum.js', async () => {
    const response = await fetch(`${url}/news-forum.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const bundle = await readFile(path.join(installed().app, 'node_modules', '@news-forum', 'widget', 'dist', 'news-forum.js'), 'utf8');
    expect(await response.text()).toBe(bundle);
  });

  it('stops on SIGTERM', async () => {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  }, 30_000);
});
