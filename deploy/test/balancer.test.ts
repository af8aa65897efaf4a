import { spawn } from 'node:child_process';
import type { Comment, LivePost } from '@news-forum/sdk';
import { Etcd3 } from 'etcd3';
import { launchBrowser } from '../../widget/test/support/browser.js';
import type { Cluster } from '../src/cluster/cluster.js';
import { waitFor } from '../src/wait.js';
import { forumClientFrom, type Transport } from './support/forum-client.js';
import { httpGet, SOURCE_ADDRESSES } from './support/http.js';
import { startTestCluster, TEST_TTL_SECONDS } from './support/test-cluster.js';

const UPSTREAM = '/services/news-forum/upstream/';
let cluster: Cluster;
let stopCluster: () => Promise<void>;
let etcd: Etcd3;
const disposers: (() => Promise<void>)[] = [];

const HEALTH_CHECK = new URL('../dist/health/cli.js', import.meta.url).pathname;

/** The exit code of the image's HEALTHCHECK (deploy/Dockerfile) asking the node at `url`. */
function healthCheck(url: string): Promise<number | null> {
  const child = spawn(process.execPath, [HEALTH_CHECK], { env: { ...process.env, HEALTH_URL: `${url}/readyz` }, stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

function client(address: string, transport: Transport = 'websocket') {
  const forum = forumClientFrom(cluster.info().lb, address, transport);
  disposers.push(() => forum.dispose());
  return forum;
}

beforeAll(async () => {
  ({ cluster, stop: stopCluster } = await startTestCluster());
  etcd = new Etcd3({ hosts: cluster.info().etcd });
}, 180_000);

afterAll(async () => {
  for (const dispose of disposers) await dispose().catch(() => undefined);
  etcd?.close();
  await stopCluster?.();
}, 60_000);

test("the nodes run the image's CMD from the repository root, as the image runs it from its WORKDIR", async () => {
  const { readImageCommand } = await import('../src/cluster/dockerfile.js');
  const { readFile, readlink } = await import('node:fs/promises');
  for (const node of cluster.nodes) {
    const cmdline = (await readFile(`/proc/${node.pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    expect(cmdline).toEqual(readImageCommand().cmd);
    expect(`${await readlink(`/proc/${node.pid}/cwd`)}/`).toBe(new URL('../../', import.meta.url).pathname);
  }
});

test('cluster.json names the primary the nodes use and its replica, which streams', async () => {
  const { readFile } = await import('node:fs/promises');
  const info = JSON.parse(await readFile(`${cluster.dir}/cluster.json`, 'utf8'));
  expect(info).toMatchObject({ database: cluster.database.primary.url, replica: cluster.database.replica!.url });
  expect(info.replica).not.toBe(info.database);
  expect(await cluster.database.replicationState()).toBe('streaming');
  expect(cluster.database.mode).toBe('synchronous');
});

test('GET /api through the balancer names more than one instance across clients, always the same for one client', async () => {
  const byAddress = new Map<string, string>();
  for (const address of SOURCE_ADDRESSES.slice(0, 12)) {
    const forum = client(address);
    const first = await forum.info();
    const second = await forum.info();
    expect(first.error).toBeUndefined();
    expect(second.data?.instance).toBe(first.data?.instance);
    byAddress.set(address, first.data!.instance);
  }
  expect(new Set(byAddress.values()).size).toBeGreaterThan(1);
  expect([...new Set(byAddress.values())].every((name) => /^node-\d$/.test(name))).toBe(true);
});

test.each<[Transport, string, string]>([
  ['websocket', '127.0.0.2', '127.0.0.3'],
  ['polling', '127.0.0.4', '127.0.0.5'],
])(
  'every REST operation and the live streams work from the SDK over %s',
  async (transport, readerAddress, writerAddress) => {
    const admin = client(writerAddress, transport);
    expect((await admin.login(cluster.admin.login, cluster.admin.password)).error).toBeUndefined();
    const login = `ana-${transport}`;
    const ana = client(writerAddress, transport);
    expect((await ana.users.create(login, { password: 'correct horse battery' })).response?.status).toBe(201);
    expect((await ana.login(login, 'correct horse battery')).data?.user.login).toBe(login);
    expect((await ana.me()).data?.login).toBe(login);
    expect((await admin.users.get(login)).data?.login).toBe(login);
    expect((await admin.users.list({ limit: 100 })).data?.items.map((u) => u.login)).toContain(login);

    // A reader on another address (most likely another node) watches the front page and a thread.
    const reader = client(readerAddress, transport);
    const view = reader.live.posts.watch({ sort: 'new', limit: 10 });
    const lists: (readonly LivePost[])[] = [];
    view.subscribe((items) => lists.push(items));
    await waitFor(() => reader.live.status === 'live' && view.items !== undefined, 'the reader live', 20_000);

    const created = await ana.posts.create({ title: `Through the balancer over ${transport}`, url: 'https://example.com/lb' });
    expect(created.response?.status).toBe(201);
    const post = created.data!;
    expect((await reader.posts.get(post.id)).data?.title).toBe(post.title);
    // Lists are served from each node's memory, which follows the change feed: another client's write shows
    // there once the reader's node has applied it (only the writer's own reads wait for it).
    await waitFor(
      async () => (await reader.posts.list({ sort: 'new', limit: 5 })).data?.items.some((p) => p.id === post.id) ?? false,
      'the new post in a list read by another client',
      10_000,
    );
    await waitFor(() => view.items?.some((p) => p.id === post.id) ?? false, 'the new post in the live view', 15_000);

    const thread = reader.live.comments(post.id).watch();
    let comments: readonly Comment[] = [];
    thread.subscribe((items) => (comments = items));
    await waitFor(() => thread.items !== undefined, 'the thread snapshot', 15_000);
    const comment = await ana.comments.create(post.id, { text: 'first, live' }, { idempotencyKey: `key-${transport}` });
    expect(comment.response?.status).toBe(201);
    const replay = await ana.comments.create(post.id, { text: 'first, live' }, { idempotencyKey: `key-${transport}` });
    expect(replay.data?.id).toBe(comment.data?.id);
    await waitFor(() => comments.some((c) => c.id === comment.data!.id), 'the comment live', 15_000);
    await waitFor(
      async () => (await reader.comments.list(post.id)).data?.items.map((c) => c.id).join() === comment.data!.id,
      'the comment in a list read by another client',
      10_000,
    );

    expect((await ana.posts.upvote(post.id)).data?.upvotes).toBe(1);
    expect((await admin.posts.downvote(post.id)).data?.score).toBe(0);
    expect((await admin.posts.retract(post.id)).data?.score).toBe(1);
    await waitFor(
      () => view.items?.find((p) => p.id === post.id)?.score === 1 && view.items.find((p) => p.id === post.id)?.upvotes === 1,
      'votes live',
      15_000,
    );

    expect((await ana.comments.delete(post.id, comment.data!.id)).response?.status).toBe(204);
    await waitFor(() => comments.length === 0, 'the comment removed live', 15_000);
    expect((await ana.posts.delete(post.id)).response?.status).toBe(204);
    await waitFor(() => !view.items?.some((p) => p.id === post.id), 'the post removed live', 15_000);
    expect((await admin.users.delete(login)).response?.status).toBe(204);
    expect((await admin.users.get(login)).response?.status).toBe(404);
    view.close();
    thread.close();
  },
  90_000,
);

test('the public proxy serves api, docs and demo on their subdomains of localhost', async () => {
  const proxy = cluster.info().proxy;
  const host = (name: string) => `${name}.localhost:${new URL(proxy).port}`;
  const api = await httpGet(`${proxy}/api`, { host: host('api') });
  expect(api.status).toBe(200);
  expect(JSON.parse(api.body)).toMatchObject({ name: 'news-forum', instance: expect.stringMatching(/^node-\d$/) });
  const docs = await httpGet(`${proxy}/`, { host: host('docs') });
  expect(docs.status).toBe(302);
  expect((await httpGet(`${proxy}/docs/`, { host: host('docs') })).body).toMatch(/swagger/i);
  const demo = await httpGet(`${proxy}/`, { host: host('demo') });
  expect(demo.status).toBe(200);
  expect(demo.body).toContain('<news-forum');
  expect((await httpGet(`${proxy}/`, { host: host('nothing') })).status).toBe(404);
  expect(cluster.publicUrl('api')).toBe(`http://${host('api')}`);
});

describe('the demo page through the public proxy', () => {
  const proxyPort = () => new URL(cluster.info().proxy).port;
  const host = (name: string) => `${name}.localhost:${proxyPort()}`;

  test("points its widget at the API's public origin, which lets the demo's origin in (CORS and socket.io)", async () => {
    const proxy = cluster.info().proxy;
    const api = cluster.publicUrl('api');
    const demoOrigin = cluster.publicUrl('demo');
    const page = await httpGet(`${proxy}/`, { host: host('demo') });
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<news-forum api="${api}"><noscript>`);
    expect(String(page.headers['content-security-policy'])).toMatch(new RegExp(`(^|;)\\s*connect-src ${api} `));

    const preflight = await httpGet(`${proxy}/api/posts`, {
      host: host('api'),
      method: 'OPTIONS',
      headers: {
        origin: demoOrigin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(demoOrigin);
    // socket.io checks Origin itself (CORS does not cover WebSockets): the demo's gets in, another does not.
    const handshake = (origin: string) =>
      httpGet(`${proxy}/socket.io/?EIO=4&transport=polling`, { host: host('api'), headers: { origin } });
    const admitted = await handshake(demoOrigin);
    expect(admitted.status).toBe(200);
    expect(admitted.body).toMatch(/^0\{"sid":/);
    expect((await handshake(`http://elsewhere.localhost:${proxyPort()}`)).status).toBe(403);
  });

  test('in Chromium, the page shows live a post written through the API, and talks only to the API origin', async () => {
    const admin = forumClientFrom(cluster.info().lb, '127.0.0.20', 'polling');
    disposers.push(() => admin.dispose());
    expect((await admin.login(cluster.admin.login, cluster.admin.password)).error).toBeUndefined();
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
      const apiRequests = new Set<string>();
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.pathname.startsWith('/api') || url.pathname.startsWith('/socket.io')) apiRequests.add(url.origin);
      });
      const sockets = new Set<string>();
      page.on('websocket', (socket) => sockets.add(new URL(socket.url()).origin));
      await page.goto(`${cluster.publicUrl('demo')}/`);
      // The page's SDK example shows its first snapshot: it is subscribed.
      const example = page.locator('#sdk-top');
      await waitFor(async () => !(await example.textContent())?.includes('Loading'), 'the SDK example live', 20_000);
      const title = `Seen live on the demo through the proxy ${Date.now()}`;
      expect((await admin.posts.create({ title, url: 'https://example.com/demo' })).response?.status).toBe(201);
      await example.getByText(title, { exact: false }).waitFor({ timeout: 15_000 });
      // The widget got it live too: it offers it rather than reorder the list under the reader.
      const widget = page.locator('news-forum');
      await widget.locator('[part="new-posts-button"]').click({ timeout: 15_000 });
      await widget.getByText(title).waitFor({ timeout: 15_000 });
      expect([...apiRequests]).toEqual([cluster.publicUrl('api')]);
      expect([...sockets]).toEqual([cluster.publicUrl('api').replace('http:', 'ws:')]);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe('registration', () => {
  test.each(['builtin', 'sidekick'] as const)(
    "%s registration: a started node appears in the rendered upstreams and in nginx's live configuration; a stopped one leaves before it stops accepting",
    async (registration) => {
      const node = await cluster.addNode({ registration });
      expect(await cluster.routedAddresses()).toContain(node.address);
      expect(await etcd.get(`${UPSTREAM}${node.name}`).string()).toBe(node.address);
      // Live: some client address is now sent to the new node.
      let reached: string | undefined;
      await waitFor(
        async () => {
          for (const address of SOURCE_ADDRESSES) {
            const answer = await httpGet(`${cluster.info().lb}/api`, { localAddress: address });
            if (JSON.parse(answer.body).instance === node.name) reached = address;
            if (reached) return true;
          }
          return false;
        },
        'traffic on the new node',
        15_000,
      );

      // The key watched (etcd pushes its deletion: a get in a loop saw it a round trip or two late, which on a busy
      // machine was longer than a sidekick's node keeps serving), the node asked in a loop that never waits for it.
      let keyGoneAt: number | undefined;
      let lastServedAt = 0;
      let refusedAt: number | undefined;
      const watcher = await etcd.watch().key(`${UPSTREAM}${node.name}`).create();
      const keyGone = new Promise<void>((resolve) =>
        watcher.on('delete', () => {
          keyGoneAt ??= performance.now();
          resolve();
        }),
      );
      const watchingNode = (async () => {
        while (refusedAt === undefined) {
          const sentAt = performance.now();
          try {
            await fetch(`${node.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
            lastServedAt = sentAt;
          } catch {
            refusedAt = performance.now();
          }
        }
      })();
      await node.stop();
      await watchingNode;
      // A key still there once the node refuses is a failure below, not a wait for the test's timeout.
      await Promise.race([keyGone, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      await watcher.cancel();
      expect(keyGoneAt).toBeDefined();
      expect(keyGoneAt!).toBeLessThan(refusedAt!);
      // A request sent after the key was seen gone was still served.
      expect(lastServedAt).toBeGreaterThan(keyGoneAt!);
      expect(await cluster.routedAddresses()).not.toContain(node.address);
      expect(JSON.parse((await httpGet(`${cluster.info().lb}/api`, { localAddress: reached! })).body).instance).not.toBe(node.name);
    },
    90_000,
  );

  test("sidekick registration: a Redis outage leaves the node registered and healthy to the image's HEALTHCHECK, since every node shares Redis and still serves; the balancer keeps every node, however often /readyz is probed through it", async () => {
    const node = await cluster.addNode({ registration: 'sidekick' });
    const key = `${UPSTREAM}${node.name}`;
    const readiness = async () => {
      const answer = await fetch(`${node.url}/readyz`);
      return { status: answer.status, checks: ((await answer.json()) as { checks: Record<string, string> }).checks };
    };
    try {
      expect(await etcd.get(key).string()).toBe(node.address);
      await cluster.redis.kill();
      await waitFor(async () => (await readiness()).status === 503, 'the node not ready without Redis', 15_000);
      expect((await readiness()).checks).toMatchObject({ redis: 'fail', store: 'ok' });
      const running = cluster.nodes.filter((n) => n.pid !== undefined);
      await waitFor(
        async () => (await Promise.all(running.map((n) => fetch(`${n.url}/readyz`)))).every((r) => r.status === 503),
        'every node not ready without Redis',
        15_000,
      );
      // A node's own 503 passes through the balancer and leaves the node in: two probes of /readyz through it took
      // every node out for everyone (max_fails=1 counted them), and all got "No forum node answered".
      const { lb } = cluster.info();
      for (const address of SOURCE_ADDRESSES.slice(0, 2)) {
        const probe = await httpGet(`${lb}/readyz`, { localAddress: address });
        expect({ status: probe.status, checks: JSON.parse(probe.body).checks }).toMatchObject({ status: 503, checks: { redis: 'fail' } });
      }
      const reads = await Promise.all(SOURCE_ADDRESSES.slice(0, 8).map((address) => httpGet(`${lb}/api`, { localAddress: address })));
      expect(reads.map((answer) => answer.status)).toEqual(reads.map(() => 200));
      // The sidekick asks every TTL/3: a whole TTL is three of its checks.
      await new Promise((resolve) => setTimeout(resolve, TEST_TTL_SECONDS * 1000));
      expect(await etcd.get(key).string()).toBe(node.address);
      expect(await cluster.routedAddresses()).toContain(node.address);
      expect((await fetch(`${node.url}/api/posts`)).status).toBe(200);
      // The image's HEALTHCHECK judges it the same way.
      expect(await healthCheck(node.url)).toBe(0);
    } finally {
      await cluster.redis.start();
      await node.stop();
    }
    expect(await healthCheck(node.url)).toBe(1);
    await waitFor(
      async () =>
        (await Promise.all(cluster.nodes.filter((n) => n.pid !== undefined).map((n) => fetch(`${n.url}/readyz`)))).every((r) => r.ok),
      'every node ready with Redis back',
      30_000,
    );
  }, 90_000);

  test('etcd restarted under running nodes: every node is registered again within one TTL', async () => {
    const names = cluster.nodes.filter((n) => n.pid !== undefined).map((n) => n.name);
    await cluster.etcd.stop(true);
    await cluster.etcd.start();
    const back = performance.now();
    const registered = async () => {
      const keys = await etcd.getAll().prefix(UPSTREAM).keys();
      return names.every((name) => keys.includes(`${UPSTREAM}${name}`));
    };
    await waitFor(registered, 'every node registered', TEST_TTL_SECONDS * 1000);
    // Not leftovers: a lease nobody renews is gone one TTL after etcd is back, so keys still there were renewed.
    await new Promise((resolve) => setTimeout(resolve, TEST_TTL_SECONDS * 1000 + 500 - (performance.now() - back)));
    expect(await registered()).toBe(true);
    await waitFor(async () => (await cluster.routedAddresses()).length === names.length, 'the balancer with every node', 10_000);
  }, 60_000);
});
