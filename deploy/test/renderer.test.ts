import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { makeCertificates } from '../../scripts/testing/etcd-tls.js';
import type { EtcdCluster } from '../src/cluster/etcd-cluster.js';
import { PortBook } from '../src/cluster/ports.js';
import type { Log } from '../src/log.js';
import { parseHostPort } from '../src/renderer/address.js';
import { type Renderer, startRenderer } from '../src/renderer/renderer.js';
import { registerService } from '../src/renderer/service-registration.js';
import { bundledTemplate, renderTemplate } from '../src/renderer/template.js';
import { waitFor } from '../src/wait.js';
import { startEtcd } from './support/etcd.js';
import { httpGet, SOURCE_ADDRESSES } from './support/http.js';
import { removeDir, tempDir } from './support/temp-dir.js';

const UPSTREAM = '/services/news-forum/upstream/';
const CLI = fileURLToPath(new URL('../dist/renderer/cli.js', import.meta.url));
let dir: string;
let etcd: EtcdCluster;
let client: Etcd3;
let lb: Renderer;
let proxy: Renderer;
let book: PortBook;
const backends: { name: string; server: Server; address: string }[] = [];
const logged: { level: string; message: string; fields: Record<string, unknown> }[] = [];
const log: Log = (level, message, fields = {}) => logged.push({ level, message, fields });

/** A real HTTP server that answers with its name and the headers it got, and accepts WebSocket upgrades. */
async function backend(name: string) {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name, url: req.url, headers: req.headers }));
  });
  server.on('upgrade', (req, socket) => {
    socket.end(
      `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\nx-backend: ${name}\r\nx-saw-upgrade: ${req.headers.upgrade}\r\n\r\n`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const entry = { name, server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
  backends.push(entry);
  return entry;
}

async function freeListen(book: PortBook, role: string) {
  return `127.0.0.1:${await book.port(role)}`;
}

beforeAll(async () => {
  dir = await tempDir('renderer');
  book = new PortBook(dir);
  etcd = await startEtcd(dir, 1, book);
  client = new Etcd3({ hosts: etcd.endpoints });
  lb = await startRenderer({
    mode: 'load-balancer',
    etcd: etcd.endpoints,
    dir: path.join(dir, 'lb'),
    listen: await freeListen(book, 'lb'),
    trustedProxies: ['127.0.0.1'],
    log,
  });
  proxy = await startRenderer({
    mode: 'proxy',
    etcd: etcd.endpoints,
    dir: path.join(dir, 'proxy'),
    listen: await freeListen(book, 'proxy'),
    domain: 'localhost',
    log,
  });
}, 60_000);

afterAll(async () => {
  client?.close();
  await Promise.allSettled([lb?.stop(), proxy?.stop()]);
  await etcd?.stop();
  for (const b of backends) b.server.close();
  await removeDir(dir);
});

describe('host:port values', () => {
  test.each([
    ['10.1.7.24:4000', '10.1.7.24:4000'],
    ['[::1]:3000', '[::1]:3000'],
    ['[2001:DB8::1]:443', '[2001:db8::1]:443'],
    ['api-1.internal.example:8080', 'api-1.internal.example:8080'],
  ])('%s is accepted', (value, canonical) => {
    expect(parseHostPort(value)).toBe(canonical);
  });

  test.each([
    '1.2.3.4:80; include /etc/passwd',
    '1.2.3.4:80 backup',
    '1.2.3.4',
    '1.2.3.4:0',
    '1.2.3.4:65536',
    '1.2.3.4:080',
    '999.1.1.1:80',
    'http://1.2.3.4:80',
    '1.2.3.4:80/path',
    '[::1:80',
    '[not-ipv6]:80',
    '-host:80',
    'a}b:80',
    '',
  ])('%j is refused', (value) => {
    expect(parseHostPort(value)).toBeUndefined();
  });

  test('a value that could end a directive is never rendered, even if a template asks for it', () => {
    expect(() =>
      renderTemplate(bundledTemplate('load-balancer.conf.mustache'), { listen: '127.0.0.1:1; include /etc/passwd', hasServers: false }),
    ).toThrow(/unsafe value/);
  });
});

describe('load-balancer mode', () => {
  test('with no node registered, nginx answers 503 problem+json instead of failing to load', async () => {
    const answer = await httpGet(`${lb.url}/api/posts`, { localAddress: '127.0.0.2' });
    expect(answer.status).toBe(503);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers['retry-after']).toBe('2');
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'urn:news-forum:problem:unavailable', status: 503 });
  });

  test('registered nodes are rendered, hashed per client address, and get the forwarding and upgrade headers', async () => {
    const [a, b, c] = [await backend('a'), await backend('b'), await backend('c')];
    for (const x of [a, b, c]) await client.put(`${UPSTREAM}${x.name}`).value(x.address);
    await waitFor(() => lb.entries.length === 3, 'three upstreams rendered', 10_000);
    await lb.settle();
    const site = await readFile(lb.site, 'utf8');
    expect(site).toMatch(/hash \$remote_addr consistent;/);
    expect(site).not.toMatch(/^\s*ip_hash/m);
    expect(site).toMatch(/proxy_read_timeout 75s;/);
    for (const x of [a, b, c]) expect(site).toContain(`server ${x.address} `);

    await waitFor(async () => (await httpGet(`${lb.url}/`, { localAddress: '127.0.0.2' })).status === 200, 'nginx reloaded', 10_000);
    const seen = new Map<string, string>();
    for (const address of SOURCE_ADDRESSES.slice(0, 20)) {
      const first = JSON.parse((await httpGet(`${lb.url}/x`, { localAddress: address })).body);
      const again = JSON.parse((await httpGet(`${lb.url}/y`, { localAddress: address })).body);
      expect(again.name).toBe(first.name);
      seen.set(address, first.name);
      expect(first.headers['x-forwarded-for']).toBe(address);
      expect(first.headers['x-forwarded-proto']).toBe('http');
    }
    expect(new Set(seen.values()).size).toBeGreaterThan(1);

    // The trusted public proxy (127.0.0.1) names the client; the hash follows the client, not the proxy.
    const viaProxy = JSON.parse(
      (
        await httpGet(`${lb.url}/z`, {
          localAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': '127.0.0.2', 'x-forwarded-proto': 'https' },
        })
      ).body,
    );
    expect(viaProxy.name).toBe(seen.get('127.0.0.2'));
    expect(viaProxy.headers['x-forwarded-proto']).toBe('https');
    expect(viaProxy.headers['x-forwarded-for']).toBe('127.0.0.2');
    // A client that reaches the balancer itself cannot claim a scheme for the nodes' links.
    const direct = JSON.parse(
      (await httpGet(`${lb.url}/d`, { localAddress: '127.0.0.3', headers: { 'x-forwarded-proto': 'https' } })).body,
    );
    expect(direct.headers['x-forwarded-proto']).toBe('http');

    // A client's own X-Forwarded-For, direct or behind the trusted proxy, does not reach the nodes: they are told
    // only the address the balancer found (nodes trust one hop, and a private client address could be trusted too).
    for (const [from, claimed] of [
      ['127.0.0.3', '10.9.9.9'],
      ['127.0.0.1', '10.9.9.9, 127.0.0.3'],
    ] as const) {
      const answer = JSON.parse((await httpGet(`${lb.url}/s`, { localAddress: from, headers: { 'x-forwarded-for': claimed } })).body);
      expect(answer.headers['x-forwarded-for']).toBe('127.0.0.3');
      expect(answer.name).toBe(seen.get('127.0.0.3'));
    }
  });

  test('a WebSocket upgrade reaches the node with its Upgrade header', async () => {
    const { request } = await import('node:http');
    const response = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      const req = request(`${lb.url}/socket.io/?EIO=4&transport=websocket`, {
        localAddress: '127.0.0.3',
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.once('upgrade', (res, socket) => {
        socket.destroy();
        resolve(res.headers);
      });
      req.once('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.once('error', reject);
      req.end();
    });
    expect(response['x-saw-upgrade']).toBe('websocket');
    expect(['a', 'b', 'c']).toContain(response['x-backend']);
  });

  test('malformed values are skipped with a warning and never reach the file; nothing reloads for them', async () => {
    await lb.settle();
    const reloads = lb.reloads;
    const hostile = {
      [`${UPSTREAM}evil`]: '1.2.3.4:80; include /etc/passwd',
      [`${UPSTREAM}spaced`]: '1.2.3.4:80 backup',
      [`${UPSTREAM}portless`]: '1.2.3.4',
      [`${UPSTREAM}huge`]: '1.2.3.4:70000',
      [`${UPSTREAM}bad;name`]: '1.2.3.4:80',
    };
    for (const [key, value] of Object.entries(hostile)) await client.put(key).value(value);
    await waitFor(() => lb.skipped.length === 5, 'five keys skipped', 10_000);
    await lb.settle();
    const site = await readFile(lb.site, 'utf8');
    expect(site).not.toMatch(/passwd|1\.2\.3\.4|backup/);
    expect(lb.entries.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect(lb.reloads).toBe(reloads);
    const warnings = logged.filter((l) => l.level === 'warn' && l.message === 'skipping a key').map((l) => l.fields.key);
    expect(warnings).toEqual(expect.arrayContaining(Object.keys(hostile)));
    for (const key of Object.keys(hostile)) await client.delete().key(key);
  });

  test('writing the same set again does not reload nginx', async () => {
    await lb.settle();
    const reloads = lb.reloads;
    const a = backends.find((b) => b.name === 'a')!;
    await client.put(`${UPSTREAM}a`).value(a.address);
    await client.put(`${UPSTREAM}a`).value(` ${a.address} `);
    await lb.settle();
    expect(lb.reloads).toBe(reloads);
  });

  test('a key nginx -t refuses is skipped: nginx keeps serving, and the other keys are rendered without it', async () => {
    await lb.settle();
    const good = await readFile(lb.site, 'utf8');
    const { reloads, rejected } = lb;
    // Well-formed, but nginx cannot resolve the host, so `nginx -t` fails.
    await client.put(`${UPSTREAM}ghost`).value('no-such-host.invalid:3000');
    await waitFor(() => lb.rejected === rejected + 1, 'the render refused', 15_000);
    await lb.settle();
    expect(await readFile(lb.site, 'utf8')).toBe(good);
    expect(lb.reloads).toBe(reloads);
    expect(lb.entries.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect(
      logged.some((l) => l.level === 'error' && /nginx -t refused/.test(l.message) && /no-such-host/.test(String(l.fields.output))),
    ).toBe(true);
    expect((await httpGet(`${lb.url}/`, { localAddress: '127.0.0.4' })).status).toBe(200);
    expect(lb.skipped).toEqual([
      expect.objectContaining({ key: `${UPSTREAM}ghost`, reason: expect.stringMatching(/^nginx -t refused it/) }),
    ]);

    // The refused key does not hold back the others: a node joining is rendered beside it, one leaving goes.
    const d = await backend('d');
    await client.put(`${UPSTREAM}d`).value(d.address);
    await waitFor(() => lb.entries.some((e) => e.name === 'd'), 'd rendered while ghost is refused', 15_000);
    expect(lb.reloads).toBe(reloads + 1);
    await client.delete().key(`${UPSTREAM}d`);
    await waitFor(() => !lb.entries.some((e) => e.name === 'd'), 'd removed while ghost is refused', 15_000);
    expect(lb.reloads).toBe(reloads + 2);
    expect(await readFile(lb.site, 'utf8')).not.toContain('no-such-host');

    // Removing the bad key renders a good set again; a node leaving reloads once.
    await client.delete().key(`${UPSTREAM}ghost`);
    await client.delete().key(`${UPSTREAM}c`);
    await waitFor(() => lb.entries.length === 2, 'c removed', 10_000);
    expect(lb.reloads).toBe(reloads + 3);
    expect(await readFile(lb.site, 'utf8')).not.toContain('no-such-host');
  });
});

/**
 * A load-balancer renderer of its own, on keys under `/test/<name>/`, whose template renders `perServer` for each
 * entry and a server on its listen address answering the names it renders.
 */
async function templated(name: string, perServer: string, options: { refusedRetryMs?: number } = {}) {
  const template = path.join(dir, `${name}.conf.mustache`);
  await writeFile(
    template,
    `{{#servers}}${perServer}\n{{/servers}}server {\n    listen {{listen}};\n    location / { return 200 "{{#servers}}{{name}} {{/servers}}"; }\n}\n`,
  );
  const prefix = `/test/${name}/`;
  const renderer = await startRenderer({
    mode: 'load-balancer',
    etcd: etcd.endpoints,
    dir: path.join(dir, `${name}-lb`),
    listen: await freeListen(book, `${name}-lb`),
    keyPrefix: prefix,
    template,
    log,
    ...options,
  });
  return { prefix, renderer };
}

describe('a set nginx -t refused', () => {
  test('is tried again after refusedRetryMs without a change in etcd, and rendered once nginx -t takes it', async () => {
    // Each node's entry includes a file of its own: nginx -t refuses an entry until its file exists, as it refuses a
    // host that does not resolve yet (a node that registered before its name was in DNS).
    const includes = path.join(dir, 'retry-includes');
    await mkdir(includes, { recursive: true });
    const { prefix, renderer: retrying } = await templated('retry', `include ${includes}/{{name}}.conf;`, { refusedRetryMs: 500 });
    try {
      const late = await backend('late');
      await client.put(`${prefix}late`).value(late.address);
      await waitFor(() => retrying.skipped.length > 0, 'the render refused', 15_000);
      expect(retrying.rejected).toBe(1);
      expect(retrying.entries).toEqual([]);
      expect(retrying.skipped).toEqual([
        expect.objectContaining({ key: `${prefix}late`, reason: expect.stringMatching(/^nginx -t refused it/) }),
      ]);
      // Still refused when tried again: nothing is rendered, nothing reloads.
      const { reloads } = retrying;
      await waitFor(() => retrying.rejected >= 2, 'tried again and refused', 15_000);
      expect(retrying.entries).toEqual([]);
      expect(retrying.reloads).toBe(reloads);

      await writeFile(path.join(includes, 'late.conf'), '# present now\n');
      await waitFor(() => retrying.entries.some((e) => e.name === 'late'), 'late rendered without a change in etcd', 15_000);
      expect(retrying.skipped).toEqual([]);
      expect(retrying.reloads).toBe(reloads + 1);
      await waitFor(async () => (await httpGet(`${retrying.url}/`)).body === 'late ', 'nginx serving the retried set', 10_000);
    } finally {
      await retrying.stop();
    }
  });
});

/** Pids of processes whose command line names `dir` (an nginx master or `nginx -t` of a renderer there). */
async function processesIn(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir)) pids.push(Number(pid));
  }
  return pids;
}

describe('stopped while it renders', () => {
  test('it leaves no nginx running and writes nothing more into its directory', async () => {
    // A set nginx -t refuses is tried entry by entry, one nginx -t each: a render long enough to stop in.
    const includes = path.join(dir, 'stopping-includes');
    await mkdir(includes, { recursive: true });
    const { prefix, renderer: stopping } = await templated('stopping', `include ${includes}/{{name}}.conf;`);
    const before = logged.length;
    const names = Array.from({ length: 20 }, (_, i) => `missing${i}`);
    await Promise.all(names.map((name) => client.put(`${prefix}${name}`).value(`127.0.0.1:${10_000 + names.indexOf(name)}`)));
    await waitFor(
      () => logged.slice(before).some((l) => l.message.startsWith('nginx -t refused the rendered configuration')),
      'a render under way',
      15_000,
    );
    await stopping.stop();
    const site = await stat(stopping.site);
    const listing = (await readdir(path.dirname(stopping.site))).sort();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await processesIn(path.dirname(stopping.site))).toEqual([]);
    expect((await stat(stopping.site)).mtimeMs).toBe(site.mtimeMs);
    expect((await readdir(path.dirname(stopping.site))).sort()).toEqual(listing);
  }, 60_000);
});

describe('a reload nginx does not take', () => {
  test('leaves the entries as nginx runs them, and is tried again until nginx takes it', async () => {
    // nginx -t does not bind: a listen address another process holds passes it, and the master then keeps the
    // configuration it ran.
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const busyPort = (busy.address() as AddressInfo).port;
    const { prefix, renderer: reloading } = await templated('reload', `server { listen 127.0.0.1:${busyPort}; return 200 "{{name}}"; }`);
    try {
      const blocked = await backend('blocked');
      await client.put(`${prefix}blocked`).value(blocked.address);
      await waitFor(
        () => logged.some((l) => l.message.startsWith('nginx kept its configuration') && String(l.fields.entries).includes('blocked')),
        'the reload not taken',
        20_000,
      );
      expect(reloading.entries).toEqual([]);
      expect((await httpGet(`${reloading.url}/`)).body).toBe('');

      await new Promise((resolve) => busy.close(resolve));
      await waitFor(() => reloading.entries.some((e) => e.name === 'blocked'), 'the reload taken once the address is free', 30_000);
      expect((await httpGet(`${reloading.url}/`)).body).toBe('blocked ');
      expect((await httpGet(`http://127.0.0.1:${busyPort}/`)).body).toBe('blocked');
    } finally {
      busy.close();
      await reloading.stop();
    }
  }, 60_000);
});

describe('nginx', () => {
  test('killed with its workers, it is started again with the last configuration and serves', async () => {
    await lb.settle();
    const master = lb.nginxPid()!;
    const workers = (await readFile(`/proc/${master}/task/${master}/children`, 'utf8')).split(/\s+/).filter(Boolean).map(Number);
    expect(workers.length).toBeGreaterThan(0);
    process.kill(master, 'SIGKILL');
    for (const worker of workers) process.kill(worker, 'SIGKILL');
    await waitFor(() => lb.nginxPid() !== undefined && lb.nginxPid() !== master, 'a new nginx master', 15_000);
    await waitFor(
      async () => (await httpGet(`${lb.url}/`, { localAddress: '127.0.0.4' }).catch(() => ({ status: 0 }))).status === 200,
      'the balancer serving again',
      15_000,
    );
    expect(logged.some((l) => l.message === 'starting nginx again')).toBe(true);
  });
});

describe('an address nginx cannot listen on', () => {
  test('stops the renderer at start, naming --listen and why nginx failed, without saying it serves', async () => {
    // Another process holds the address and answers HTTP there, as a stray server would: an answer is no proof that
    // nginx listens.
    const holder = createTcpServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'));
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const listen = `127.0.0.1:${(holder.address() as AddressInfo).port}`;
    try {
      const child = spawn(process.execPath, [CLI, '--mode', 'load-balancer', '--listen', listen, '--dir', path.join(dir, 'taken-lb')], {
        env: { ...process.env, ETCD_URL: etcd.endpoints.join(',') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
      child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
      clearTimeout(killer);
      expect({ code, stderr }).toEqual({
        code: 1,
        stderr: expect.stringMatching(
          new RegExp(
            `^news-forum-renderer: nginx cannot listen on ${listen} \\(--listen\\): bind\\(\\) to ${listen} failed \\(98: Address already in use\\)`,
            'm',
          ),
        ),
      });
      expect(stdout).not.toMatch(/"message":"serving"/);
      expect(stdout).not.toMatch(/starting nginx again/);
      expect(await processesIn(path.join(dir, 'taken-lb'))).toEqual([]);
    } finally {
      holder.close();
    }
  }, 40_000);
});

describe('proxy mode', () => {
  test('with a certificate it serves HTTPS alone: the service is told https, browsers to keep to it', async () => {
    const certificates = path.join(dir, 'proxy-tls-certificates');
    await mkdir(certificates);
    const files = await makeCertificates(certificates);
    const secure = await startRenderer({
      mode: 'proxy',
      etcd: etcd.endpoints,
      dir: path.join(dir, 'proxy-tls'),
      listen: await freeListen(book, 'proxy-tls'),
      domain: 'localhost',
      tls: { certificate: files.serverCert, key: files.serverKey },
      log,
    });
    try {
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const site = await backend('secure');
      await client.put('/subdomains/secure').value(site.address);
      await waitFor(() => secure.entries.some((entry) => entry.name === 'secure'), 'the subdomain rendered', 10_000);
      await secure.settle();
      const port = new URL(secure.url).port;
      const host = `secure.localhost:${port}`;
      const ca = readFileSync(files.ca, 'utf8');
      await waitFor(async () => (await httpGet(`${secure.url}/x`, { host, ca })).status === 200, 'served', 10_000);
      const answer = await httpGet(`${secure.url}/x`, { host, ca });
      expect(JSON.parse(answer.body)).toMatchObject({ name: 'secure', headers: { 'x-forwarded-proto': 'https' } });
      expect(answer.headers['strict-transport-security']).toBe('max-age=31536000');
      // Plain HTTP on the same port is refused by nginx, never proxied.
      const plain = await httpGet(`http://127.0.0.1:${port}/x`, { host });
      expect(plain.status).toBe(400);
      expect(plain.body).not.toContain('secure');
    } finally {
      await client.delete().key('/subdomains/secure');
      await secure.stop();
    }
  });

  test('each /subdomains/<name> key becomes <name>.localhost, docs/ redirects to /docs, unknown hosts get 404', async () => {
    const [api, docs] = [await backend('api'), await backend('docs')];
    await client.put('/subdomains/api').value(api.address);
    await client.put('/subdomains/docs').value(docs.address);
    await client.put('/subdomains/evil').value('1.2.3.4:80; include /etc/passwd');
    await waitFor(() => proxy.entries.length === 2, 'two subdomains rendered', 10_000);
    await proxy.settle();
    const port = new URL(proxy.url).port;
    await waitFor(
      async () => (await httpGet(`${proxy.url}/api`, { host: `api.localhost:${port}` })).status === 200,
      'api.localhost served',
      10_000,
    );
    const viaApi = JSON.parse((await httpGet(`${proxy.url}/api`, { host: `api.localhost:${port}`, localAddress: '127.0.0.9' })).body);
    expect(viaApi).toMatchObject({ name: 'api', url: '/api' });
    expect(viaApi.headers.host).toBe(`api.localhost:${port}`);
    expect(viaApi.headers['x-forwarded-for']).toBe('127.0.0.9');
    // The edge replaces what a client says of its own address.
    const spoofed = await httpGet(`${proxy.url}/api`, {
      host: `api.localhost:${port}`,
      localAddress: '127.0.0.9',
      headers: { 'x-forwarded-for': '10.9.9.9' },
    });
    expect(JSON.parse(spoofed.body).headers['x-forwarded-for']).toBe('127.0.0.9');
    const root = await httpGet(`${proxy.url}/`, { host: `docs.localhost:${port}` });
    expect(root.status).toBe(302);
    expect(root.headers.location).toMatch(/\/docs$/);
    expect(JSON.parse((await httpGet(`${proxy.url}/docs`, { host: `docs.localhost:${port}` })).body).name).toBe('docs');
    const unknown = await httpGet(`${proxy.url}/`, { host: `evil.localhost:${port}` });
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toBe('application/problem+json');
    expect(await readFile(proxy.site, 'utf8')).not.toContain('passwd');
  });

  test('a nested key, or one naming a subdomain again in other case, is skipped and holds nothing back', async () => {
    const other = await backend('other');
    const strays = ['/subdomains/old/api', '/subdomains/API'];
    for (const key of strays) await client.put(key).value(other.address);
    await client.put('/subdomains/other').value(other.address);
    await waitFor(() => proxy.entries.some((e) => e.name === 'other'), 'other rendered beside the strays', 10_000);
    expect(proxy.entries.map((e) => e.name)).toEqual(['api', 'docs', 'other']);
    expect(proxy.entries.find((e) => e.name === 'api')?.address).not.toBe(other.address);
    expect(proxy.skipped.map((skip) => skip.key)).toEqual(expect.arrayContaining(strays));
    for (const key of [...strays, '/subdomains/other']) await client.delete().key(key);
    await waitFor(() => !proxy.entries.some((e) => e.name === 'other'), 'other withdrawn', 10_000);
  });

  test('a service registration lives on a lease and is withdrawn when it stops', async () => {
    const demo = await backend('demo');
    const registration = await registerService({ etcd: etcd.endpoints, names: ['demo'], advertise: demo.address, ttlSeconds: 5, log });
    const key = await client.get('/subdomains/demo').exec();
    expect(key.kvs[0]?.value.toString()).toBe(demo.address);
    expect(String(key.kvs[0]?.lease)).not.toBe('0');
    await waitFor(() => proxy.entries.some((e) => e.name === 'demo'), 'demo rendered', 10_000);
    // A key that goes while its lease lives is written again on that lease after the next keep-alive.
    await client.delete().key('/subdomains/demo');
    await waitFor(async () => (await client.get('/subdomains/demo').string()) === demo.address, 'demo written again', 5_000);
    expect(String((await client.get('/subdomains/demo').exec()).kvs[0]?.lease)).toBe(String(key.kvs[0]?.lease));
    await registration.stop();
    expect(await client.get('/subdomains/demo').string()).toBeNull();
    await waitFor(() => !proxy.entries.some((e) => e.name === 'demo'), 'demo withdrawn', 10_000);
  });
});
