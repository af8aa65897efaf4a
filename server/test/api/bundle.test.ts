import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { bundleIsCurrent } from '../../src/bundle-freshness.js';
import { call } from '../support/http-client.js';
import { connectSocket, eventually, record, subscribe, type TestSocket } from '../support/live-client.js';
import { type NodeProcess, startNodeProcess } from '../support/node-process.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

// The build bundles the server into dist/bundle/ (scripts/bundle.mjs); the
// package's entry point and its bin load it. These tests run what the build made.
const DIST = new URL('../../dist/', import.meta.url);

it('the package entry point loads the bundle, not the modules tsc wrote', async () => {
  const script = `
    const entry = await import(${JSON.stringify(new URL('index.js', DIST).href)});
    const bundle = await import(${JSON.stringify(new URL('bundle/index.js', DIST).href)});
    const modules = await import(${JSON.stringify(new URL('server.js', DIST).href)});
    console.log(JSON.stringify({ bundled: entry.startServer === bundle.startServer, modules: entry.startServer === modules.startServer }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  expect(JSON.parse(stdout)).toEqual({ bundled: true, modules: false });
}, 60_000);

describe.each(['embedded', 'postgres'])('a node of the bundle on the %s store', (store) => {
  let postgres: TestPostgres | undefined;
  let node: NodeProcess;
  let socket: TestSocket;
  beforeAll(async () => {
    postgres = store === 'postgres' ? await startPostgres() : undefined;
    node = await startNodeProcess({ STORE: store, ...(postgres && { DATABASE_URL: postgres.url }) });
    socket = await connectSocket(node.url);
  }, 90_000);
  afterAll(async () => {
    socket?.close();
    await node?.cleanup();
    await postgres?.stop();
  });

  it('is ready and answers as the contract says: sign-up, sign-in, a post, a vote streamed live, the front page', async () => {
    expect((await call(node.url, 'GET', '/readyz')).status).toBe(200);
    expect((await call(node.url, 'PUT', '/api/users/bundled', { body: { password: 'bundled-password' } })).status).toBe(201);
    const { body: auth } = await call(node.url, 'POST', '/api/authenticate', { body: { login: 'bundled', password: 'bundled-password' } });
    const created = await call(node.url, 'POST', '/api/posts', {
      token: auth.token,
      body: { title: 'A post served by the bundle', url: 'https://example.com/bundle' },
    });
    expect(created.status).toBe(201);
    expect((await subscribe(socket, { topic: 'posts' })).ok).toBe(true);
    const changes = record(socket, 'poststream');
    const voted = await call(node.url, 'POST', `/api/posts/${created.body.id}/upvotes`, { token: auth.token });
    expect(voted.status).toBeLessThan(300);
    await eventually(
      () => changes.some((change) => change.new_val?.id === created.body.id && change.new_val.upvotes === 1),
      10_000,
      'the vote on the socket',
    );
    const page = await call(node.url, 'GET', '/api/posts?sort=new');
    expect(page.status).toBe(200);
    expect(page.body.items.map((post: { id: string }) => post.id)).toContain(created.body.id);
    expect(node.stderr()).toBe('');
  }, 60_000);
});

describe("the debug output of the bundle's dependencies", () => {
  it('comes from the no-op shim unless DEBUG is set, and with DEBUG set the namespaces it names write to stderr', async () => {
    // Every import of debug in the bundle is the shim (scripts/quiet-debug.cjs); its no-op is named so that it shows here.
    const bundle = await readFile(new URL('bundle/index.js', DIST), 'utf8');
    expect(bundle).toContain('function quietDebugOff()');
    const node = await startNodeProcess({ DEBUG: 'engine:socket,socket.io:client' });
    const socket = await connectSocket(node.url);
    try {
      await eventually(
        () => node.stderr().includes('engine:socket') && node.stderr().includes('socket.io:client'),
        10_000,
        "engine.io's and socket.io's debug lines",
      );
      expect(node.stderr()).not.toContain('express:');
    } finally {
      socket.close();
      await node.cleanup();
    }
  }, 60_000);
});

describe('which build the entry point loads', () => {
  let dir: string;
  const file = (name: string) => pathToFileURL(path.join(dir, name));
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'news-forum-bundle-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the bundle when it is as new as tsc build info or newer, or when there is no build info (an installed package)', async () => {
    await writeFile(file('info-old').pathname, '');
    await writeFile(file('bundle-new').pathname, '');
    await utimes(file('info-old').pathname, new Date(1_000_000), new Date(1_000_000));
    await utimes(file('bundle-new').pathname, new Date(2_000_000), new Date(2_000_000));
    expect(bundleIsCurrent(file('bundle-new'), file('info-old'))).toBe(true);
    expect(bundleIsCurrent(file('bundle-new'), file('no-info'))).toBe(true);
  });

  it("tsc's modules when the bundle is older than tsc's last build, or missing", async () => {
    expect(bundleIsCurrent(file('info-old'), file('bundle-new'))).toBe(false);
    expect(bundleIsCurrent(file('no-bundle'), file('info-old'))).toBe(false);
  });
});
