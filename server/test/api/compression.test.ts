import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { io } from 'socket.io-client';
import { loadWidgetBundle } from '../../src/http/widget-bundle.js';
import { spec } from '../../src/openapi/spec.js';
import { subscribe, type TestSocket } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request that returns the bytes as sent (fetch would decode them). */
function rawRequest(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    request(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end(body);
  });
}

const rawGet = (url: string, headers: Record<string, string> = {}) => rawRequest('GET', url, headers);

function decode(response: RawResponse): Buffer {
  switch (response.headers['content-encoding']) {
    case 'br':
      return brotliDecompressSync(response.body);
    case 'gzip':
      return gunzipSync(response.body);
    case undefined:
      return response.body;
    default:
      throw new Error(`unexpected Content-Encoding ${String(response.headers['content-encoding'])}`);
  }
}

const varies = (response: RawResponse) =>
  String(response.headers.vary ?? '')
    .split(/\s*,\s*/)
    .map((name) => name.toLowerCase())
    .includes('accept-encoding');

const EVENT = `data: ${'x'.repeat(4096)}\n\n`;
const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

let t: TestServer;
let token: string;
beforeAll(async () => {
  t = await startTestServer({
    site: [
      (req, res, next) => {
        if (req.url !== '/events') return next();
        // An event stream that stays open: its first event must arrive now, not when it ends.
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        res.write(EVENT);
      },
    ],
  });
  token = await t.signUp('ana');
  for (let i = 0; i < 8; i += 1) {
    const created = await t.call('POST', '/api/posts', {
      token,
      body: { title: `A post long enough to make the list weigh ${i}`, text: 'y'.repeat(200) },
    });
    expect(created.status).toBe(201);
  }
});
afterAll(async () => {
  await t.cleanup();
});

describe('JSON from the API', () => {
  test.each(['br', 'gzip'])('is sent %s-encoded when accepted, and decodes to the same JSON', async (encoding) => {
    const plain = await rawGet(`${t.url}/api/posts?sort=new`);
    const encoded = await rawGet(`${t.url}/api/posts?sort=new`, { 'Accept-Encoding': encoding });
    expect(plain.body.length).toBeGreaterThan(1024);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(encoded.headers['content-encoding']).toBe(encoding);
    expect(encoded.body.length).toBeLessThan(plain.body.length / 2);
    expect(JSON.parse(decode(encoded).toString())).toEqual(JSON.parse(plain.body.toString()));
    expect(varies(plain)).toBe(true);
    expect(varies(encoded)).toBe(true);
  });

  test('brotli is preferred when both are accepted', async () => {
    const response = await rawGet(`${t.url}/api/posts`, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(response.headers['content-encoding']).toBe('br');
  });

  test('a tiny body goes out as it is, still saying it varies by Accept-Encoding', async () => {
    const response = await rawGet(`${t.url}/api`, { 'Accept-Encoding': 'br, gzip' });
    expect(response.body.length).toBeLessThan(1024);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(varies(response)).toBe(true);
    expect(JSON.parse(response.body.toString())).toMatchObject({ name: expect.any(String) });
  });

  test('the answer to a write goes out as it is, however large, without varying by Accept-Encoding', async () => {
    const body = JSON.stringify({ title: 'A post whose answer weighs more than a KiB', text: 'z'.repeat(3000) });
    const response = await rawRequest(
      'POST',
      `${t.url}/api/posts`,
      { 'Accept-Encoding': 'br, gzip', Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body,
    );
    expect(response.status).toBe(201);
    expect(response.body.length).toBeGreaterThan(3000);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(varies(response)).toBe(false);
    expect(JSON.parse(response.body.toString())).toMatchObject({ text: 'z'.repeat(3000) });
  });

  test('the ETag still answers 304 to a compressed client', async () => {
    const first = await rawGet(`${t.url}/api/posts`, { 'Accept-Encoding': 'gzip' });
    const etag = String(first.headers.etag);
    expect(etag).toBeTruthy();
    const again = await rawGet(`${t.url}/api/posts`, { 'Accept-Encoding': 'gzip', 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  test("a page's plain, gzip and br answers carry ETags of their own, each answering 304 to itself alone, with Vary as its 200", async () => {
    // Anonymous, from memory: the first request goes through the router, the next ones through the page's route.
    for (const path of ['/api/posts?sort=new&limit=31', '/api/posts?sort=new&limit=31']) {
      const answers = await Promise.all(
        ['identity', 'gzip', 'br'].map((coding) => rawGet(`${t.url}${path}`, { 'Accept-Encoding': coding })),
      );
      expect(answers.map((answer) => answer.headers['content-encoding'] ?? 'identity')).toEqual(['identity', 'gzip', 'br']);
      const tags = answers.map((answer) => String(answer.headers.etag));
      expect(new Set(tags).size).toBe(3);
      for (const [i, coding] of ['identity', 'gzip', 'br'].entries()) {
        const statuses = await Promise.all(
          tags.map(async (tag) => (await rawGet(`${t.url}${path}`, { 'Accept-Encoding': coding, 'If-None-Match': tag })).status),
        );
        expect({ coding, statuses }).toEqual({ coding, statuses: tags.map((_, j) => (j === i ? 304 : 200)) });
        const notModified = await rawGet(`${t.url}${path}`, { 'Accept-Encoding': coding, 'If-None-Match': tags[i]! });
        expect({ coding, varies: varies(notModified) }).toEqual({ coding, varies: true });
      }
    }
  });

  test('problem+json errors are compressed too and stay problems', async () => {
    const response = await rawGet(`${t.url}/api/posts?limit=${'9'.repeat(2000)}`, { 'Accept-Encoding': 'gzip' });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(decode(response).toString())).toMatchObject({ status: 400 });
  });
});

describe('files served once compressed', () => {
  test.each(['br', 'gzip'])('the widget bundle goes out %s-encoded, decoding to the same bytes, with its own ETag', async (encoding) => {
    // The entry re-exports the code from a content-hashed module: that one is the weight.
    const entry = (await rawGet(`${t.url}${loadWidgetBundle().path}`)).body.toString();
    const path = `/${/\.\/(news-forum[^"']+\.js)/.exec(entry)![1]}`;
    const plain = await rawGet(`${t.url}${path}`);
    const encoded = await rawGet(`${t.url}${path}`, { 'Accept-Encoding': encoding });
    expect(encoded.headers['content-encoding']).toBe(encoding);
    expect(decode(encoded).equals(plain.body)).toBe(true);
    expect(encoded.body.length).toBeLessThan(plain.body.length / 2);
    expect(varies(encoded)).toBe(true);
    expect(encoded.headers.etag).not.toBe(plain.headers.etag);
    const cached = await rawGet(`${t.url}${path}`, { 'Accept-Encoding': encoding, 'If-None-Match': String(encoded.headers.etag) });
    expect(cached.status).toBe(304);
    // The other representation's ETag does not match this one.
    const other = await rawGet(`${t.url}${path}`, { 'Accept-Encoding': encoding, 'If-None-Match': String(plain.headers.etag) });
    expect(other.status).toBe(200);
  });

  test('the contract at /openapi.json is compressed and decodes to openapi.yaml', async () => {
    const response = await rawGet(`${t.url}/openapi.json`, { 'Accept-Encoding': 'gzip' });
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(decode(response).toString())).toEqual(spec);
  });

  test.each(['br', 'gzip'])('Swagger UI at /docs goes out %s-encoded, the same bytes as swagger-ui-dist', async (encoding) => {
    const onDisk = readFileSync(join(swaggerDir, 'swagger-ui-bundle.js'));
    const first = await rawGet(`${t.url}/docs/swagger-ui-bundle.js`, { 'Accept-Encoding': encoding });
    const second = await rawGet(`${t.url}/docs/swagger-ui-bundle.js`, { 'Accept-Encoding': encoding });
    expect(first.headers['content-encoding']).toBe(encoding);
    expect(first.body.length).toBeLessThan(onDisk.length / 3);
    expect(decode(first).equals(onDisk)).toBe(true);
    expect(second.body.equals(first.body)).toBe(true);
    expect(first.headers['cache-control']).toBe('public, max-age=3600');
  });

  test('/docs redirects to /docs/, which is the Swagger UI page; unknown files are 404', async () => {
    const redirect = await rawGet(`${t.url}/docs`);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/docs/');
    const page = await rawGet(`${t.url}/docs/`, { 'Accept-Encoding': 'br' });
    expect(page.status).toBe(200);
    expect(decode(page).toString()).toContain('swagger-ui-bundle.js');
    expect((await rawGet(`${t.url}/docs/../package.json`)).status).toBe(404);
    expect((await rawGet(`${t.url}/docs/package.json`)).status).toBe(404);
    expect((await rawGet(`${t.url}/docs/no-such-file.js`)).status).toBe(404);
  });
});

describe('streams', () => {
  test('an event stream is not compressed: its first event arrives while it stays open', async () => {
    const first = await new Promise<{ encoding: string | undefined; chunk: string }>((resolve, reject) => {
      const req = request(`${t.url}/events`, { headers: { 'Accept-Encoding': 'br, gzip' } }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.endsWith('\n\n')) {
            resolve({ encoding: response.headers['content-encoding'], chunk: text });
            req.destroy();
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(first.encoding).toBeUndefined();
    expect(first.chunk).toBe(EVENT);
  });

  test('socket.io long-polling still works beside the compression', async () => {
    const socket: TestSocket = io(t.url, { transports: ['polling'], reconnection: false, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      expect(socket.io.engine.transport.name).toBe('polling');
      const ack = await subscribe(socket, { topic: 'posts' });
      expect(ack).toMatchObject({ ok: true, topic: 'posts' });
      expect(ack.ok && ack.topic === 'posts' ? ack.snapshot.length : 0).toBeGreaterThanOrEqual(8);
    } finally {
      socket.close();
    }
  });
});
