import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.js';
import { beforeExpress, fastReads } from '../../src/http/fast-reads.js';
import { Limits } from '../../src/policy/limits.js';
import type { Services } from '../../src/services.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const HOST = 'forum.test';
const ALLOWED = 'https://allowed.example';
/** Headers that differ between any two answers. */
const PER_ANSWER = new Set(['date', 'x-request-id', 'connection', 'keep-alive']);

/** A request whose answer comes back as sent, bytes and all (fetch would decode and add headers). */
function raw(base: string, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    request(`${base}${path}`, { method, headers: { host: HOST, ...headers }, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

const comparable = (response: RawResponse) => ({
  status: response.status,
  headers: Object.fromEntries(Object.entries(response.headers).filter(([name]) => !PER_ANSWER.has(name))),
  body: response.body.toString('base64'),
});

/** Express alone, and the fast path before Express counting what it answers; both on `services`. */
async function serve(services: Services): Promise<{ express: string; fast: string; answered: () => number; close(): Promise<void> }> {
  const app = createApp(services, { strictResponses: true });
  const fast = fastReads(services);
  let answered = 0;
  const servers: Server[] = [createServer(app), createServer(beforeExpress(fast, app, () => (answered += 1)))];
  const urls = await Promise.all(
    servers.map(
      (server) =>
        new Promise<string>((resolve) =>
          server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
        ),
    ),
  );
  return {
    express: urls[0]!,
    fast: urls[1]!,
    answered: () => answered,
    close: () => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))).then(() => undefined),
  };
}

let t: TestServer;
let pair: Awaited<ReturnType<typeof serve>>;
let token: string;
let postId: string;
const urls: string[] = [];

beforeAll(async () => {
  t = await startTestServer({ env: { CORS_ORIGINS: ALLOWED } });
  token = await t.signUp('ana');
  for (let i = 0; i < 12; i += 1) {
    const created = await t.call('POST', '/api/posts', {
      token,
      body: { title: `A post with a title of a usual length, ${i}`, text: 'y'.repeat(120) },
    });
    expect(created.status).toBe(201);
    postId ??= created.body.id;
  }
  for (let i = 0; i < 5; i += 1)
    await t.call('PUT', `/api/comments/${postId}`, { token, body: { text: `A comment of a usual length, ${i}.` } });
  await t.call('POST', `/api/posts/${postId}/upvotes`, { token });
  pair = await serve(t.server.services);
  const first = await t.call('GET', '/api/posts?limit=5&sort=new');
  urls.push(
    '/api/posts?limit=5&sort=hot',
    '/api/posts?limit=5&sort=new',
    '/api/posts?limit=5&sort=top',
    '/api/posts',
    `/api/posts?limit=5&sort=new&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    `/api/comments/${postId}`,
    '/api/posts?limit=1&sort=top',
  );
  // The first request of a URL goes through the router, which remembers it for memory.
  for (const url of urls) expect((await raw(pair.express, url)).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await pair?.close();
  await t?.cleanup();
});

const VARIANTS: [string, string, Record<string, string>][] = [
  ['no Accept-Encoding', 'GET', {}],
  ['gzip', 'GET', { 'accept-encoding': 'gzip' }],
  ['br', 'GET', { 'accept-encoding': 'br' }],
  ['a browser’s Accept-Encoding', 'GET', { 'accept-encoding': 'gzip, deflate, br, zstd' }],
  ['identity only', 'GET', { 'accept-encoding': 'identity' }],
  ['gzip refused', 'GET', { 'accept-encoding': 'gzip;q=0, identity' }],
  ['an allowed Origin', 'GET', { origin: ALLOWED, 'accept-encoding': 'gzip' }],
  ['an Origin not allowed', 'GET', { origin: 'https://elsewhere.example', 'accept-encoding': 'br' }],
  ['its own Origin', 'GET', { origin: `http://${HOST}` }],
  ['HEAD', 'HEAD', { 'accept-encoding': 'br' }],
  ['HEAD from an allowed Origin', 'HEAD', { origin: ALLOWED }],
];

describe('the fast path answers what Express answers', () => {
  test.each(VARIANTS)('%s', async (_, method, headers) => {
    for (const url of urls) {
      const before = pair.answered();
      const express = await raw(pair.express, url, method, headers);
      const fast = await raw(pair.fast, url, method, headers);
      expect(pair.answered()).toBe(before + 1);
      expect(express.status).toBe(200);
      expect(comparable(fast)).toEqual(comparable(express));
      expect(fast.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  test.each([
    ['without Origin', {}],
    ['from an allowed Origin', { origin: ALLOWED }],
  ])('a revalidation %s gets the same 304', async (_, origin: Record<string, string>) => {
    for (const url of urls) {
      // The validator of the representation asked for again: each content coding has its own.
      const etag = String((await raw(pair.express, url, 'GET', { 'accept-encoding': 'gzip, br' })).headers.etag);
      const headers = { ...origin, 'if-none-match': etag, 'accept-encoding': 'gzip, br' };
      const before = pair.answered();
      const express = await raw(pair.express, url, 'GET', headers);
      const fast = await raw(pair.fast, url, 'GET', headers);
      expect(pair.answered()).toBe(before + 1);
      expect(express.status).toBe(304);
      expect(comparable(fast)).toEqual(comparable(express));
    }
  });

  test('a vote changes the page both answer, and the old ETag no longer matches', async () => {
    const url = '/api/posts?limit=5&sort=top';
    const old = await raw(pair.fast, url);
    const second = await t.signUp('bob');
    expect((await t.call('POST', `/api/posts/${postId}/upvotes`, { token: second })).status).toBe(200);
    const headers = { 'if-none-match': String(old.headers.etag), 'accept-encoding': 'gzip' };
    let fast = await raw(pair.fast, url, 'GET', headers);
    for (let i = 0; i < 50 && fast.status === 304; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      fast = await raw(pair.fast, url, 'GET', headers);
    }
    expect(fast.status).toBe(200);
    expect(comparable(fast)).toEqual(comparable(await raw(pair.express, url, 'GET', headers)));
  });

  test('what it does not hold goes on to Express: signed-in reads, deflate, writes, unknown URLs', async () => {
    const before = pair.answered();
    const signedIn = await raw(pair.fast, urls[0]!, 'GET', { authorization: `Bearer ${token}` });
    expect(signedIn.status).toBe(200);
    expect((await raw(pair.fast, urls[0]!, 'GET', { 'accept-encoding': 'deflate' })).headers['content-encoding']).toBe('deflate');
    expect((await raw(pair.fast, '/api/posts?limit=7&sort=hot')).status).toBe(200);
    expect((await raw(pair.fast, '/api/posts', 'POST', { 'content-type': 'application/json' })).status).toBe(401);
    expect(pair.answered()).toBe(before);
  });
});

test('the per-IP rate limit applies to the fast path, and its 429 is Express’s', async () => {
  const limited: Services = { ...t.server.services, limits: new Limits({ requestsPerIp: { max: 2, windowMs: 60_000 } }) };
  const strict = await serve(limited);
  try {
    const url = urls[0]!;
    expect((await raw(strict.fast, url)).status).toBe(200);
    expect((await raw(strict.fast, url)).status).toBe(200);
    const refused = await raw(strict.fast, url);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(strict.answered()).toBe(2);
  } finally {
    await strict.close();
    limited.limits.close();
  }
});
