import { afterEach, describe, expect, it } from '@jest/globals';
import { ApiError, createClient, isNewsForumError, NetworkError, type StatusEvent, TimeoutError } from '../src/index.js';
import { defaultRetryDelay, parseRetryAfter } from '../src/rest/backoff.js';
import { post } from './support/fixtures.js';
import { json, problem, startHttpServer, type TestServer } from './support/http-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fast = { retryDelay: () => 10 };

describe('retries against a real HTTP server', () => {
  it('retries 5xx and succeeds on the third attempt', async () => {
    const first = post();
    server = await startHttpServer((_, res, i) => (i < 2 ? problem(res, 503, 'unavailable') : json(res, 200, first)));
    const forum = createClient({ baseUrl: server.url, ...fast });
    const { data, error, response } = await forum.posts.get(first.id);
    expect(error).toBeUndefined();
    expect(data).toEqual(first);
    expect(response?.status).toBe(200);
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => r.url)).toEqual(Array(3).fill(`/api/posts/${first.id}`));
  });

  it('gives up after maxRetries and returns the last ApiError', async () => {
    server = await startHttpServer((_, res) => problem(res, 500, 'internal'));
    const forum = createClient({ baseUrl: server.url, maxRetries: 1, ...fast });
    const { error } = await forum.posts.list();
    expect(error).toBeInstanceOf(ApiError);
    expect(error?.status).toBe(500);
    expect(server.requests).toHaveLength(2);
  });

  it('never retries a 400, and types the problem', async () => {
    server = await startHttpServer((_, res) => problem(res, 400, 'bad-request', { 'x-request-id': 'req-42' }));
    const forum = createClient({ baseUrl: server.url, ...fast });
    const { data, error } = await forum.posts.list({ sort: 'hot', limit: 5 });
    expect(data).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.url).toBe('/api/posts?sort=hot&limit=5');
    expect(error).toBeInstanceOf(ApiError);
    expect(isNewsForumError(error)).toBe(true);
    expect(error!.code).toBe('api_error');
    expect(error!.requestId).toBe('req-42');
    expect(error!.problem).toEqual({ type: 'urn:news-forum:problem:bad-request', title: 'bad-request', status: 400 });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'ApiError',
      code: 'api_error',
      message: 'bad-request',
      status: 400,
      problem: error!.problem,
      requestId: 'req-42',
    });
  });

  it('honours Retry-After on 429', async () => {
    server = await startHttpServer((_, res, i) =>
      i === 0 ? problem(res, 429, 'rate-limited', { 'retry-after': '1' }) : json(res, 200, { items: [], nextCursor: null }),
    );
    const forum = createClient({ baseUrl: server.url, ...fast });
    const { data } = await forum.posts.list();
    expect(data).toEqual({ items: [], nextCursor: null });
    const [a, b] = server.requests;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(950);
  });

  it('does not wait for a Retry-After beyond a minute', async () => {
    server = await startHttpServer((_, res) => problem(res, 429, 'rate-limited', { 'retry-after': '3600' }));
    const { error } = await createClient({ baseUrl: server.url, ...fast }).info();
    expect(error?.status).toBe(429);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a creation whose connection broke, with the same Idempotency-Key', async () => {
    const created = post({ title: 'Hello' });
    server = await startHttpServer((_, res, i, req) => (i === 0 ? req.socket.destroy() : json(res, 201, created)));
    const forum = createClient({ baseUrl: server.url, token: 'tok', ...fast });
    const { data, error } = await forum.posts.create({ title: 'Hello' });
    expect(error).toBeUndefined();
    expect(data).toEqual(created);
    expect(server.requests).toHaveLength(2);
    const [a, b] = server.requests;
    const key = a!.headers['idempotency-key'];
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b!.headers['idempotency-key']).toBe(key);
    expect(a!.headers.authorization).toBe('Bearer tok');
    expect(JSON.parse(b!.body)).toEqual({ title: 'Hello' });
  });

  it('uses a new key per create call, or the caller’s', async () => {
    server = await startHttpServer((request, res) => json(res, 201, { ...post(), postId: request.url }));
    const forum = createClient({ baseUrl: server.url, ...fast });
    await forum.comments.create('p1', { text: 'a' });
    await forum.comments.create('p1', { text: 'b' });
    await forum.comments.create('p1', { text: 'c' }, { idempotencyKey: 'my-key-123' });
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(3);
    expect(keys[2]).toBe('my-key-123');
    expect(server.requests.map((r) => r.method)).toEqual(['PUT', 'PUT', 'PUT']);
  });

  it('times out each attempt and retries', async () => {
    server = await startHttpServer((_, res, i) =>
      i === 0 ? undefined : json(res, 200, { name: 'news-forum', version: '1', instance: 'a' }),
    );
    const forum = createClient({ baseUrl: server.url, timeoutMs: 200, ...fast });
    const { data } = await forum.info();
    expect(data?.instance).toBe('a');
    expect(server.requests).toHaveLength(2);
  });

  it('reports a TimeoutError when every attempt times out', async () => {
    server = await startHttpServer(() => undefined);
    const forum = createClient({ baseUrl: server.url, timeoutMs: 100, maxRetries: 1, ...fast });
    const { error, response } = await forum.me();
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error?.code).toBe('timeout');
    expect(response).toBeUndefined();
    expect(server.requests).toHaveLength(2);
  });

  it('stops at once when the caller aborts, even while waiting to retry', async () => {
    server = await startHttpServer((_, res) => problem(res, 503, 'unavailable'));
    const forum = createClient({ baseUrl: server.url, retryDelay: () => 10_000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const { error } = await forum.posts.list({}, { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error?.code).toBe('aborted');
    expect(server.requests).toHaveLength(1);
  });

  it('reports a refused connection as a NetworkError after retrying, through an injected fetch', async () => {
    server = await startHttpServer(() => undefined);
    const url = server.url;
    await server.close();
    server = undefined;
    let calls = 0;
    const forum = createClient({
      baseUrl: url,
      ...fast,
      fetch: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    const { error } = await forum.posts.list();
    expect(error).toBeInstanceOf(NetworkError);
    expect(error?.code).toBe('network_error');
    // It names the request that failed, so that a wrong baseUrl or a forum that is down shows.
    expect(error?.message).toBe(`The request failed before an answer arrived: GET ${url}/api/posts`);
    expect(calls).toBe(3);
  });

  it('reports a baseUrl that is not a URL as a NetworkError from calls and the live status, never throwing', async () => {
    const forum = createClient({ baseUrl: 'forum.example.com', ...fast });
    const { error } = await forum.posts.list();
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'network_error', message: expect.stringContaining('forum.example.com is not an absolute URL') });
    await expect(forum.posts.all()[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(NetworkError);
    const statuses: StatusEvent[] = [];
    forum.live.on('status', (event) => statuses.push(event));
    const view = forum.live.posts.watch();
    expect(forum.live.status).toBe('closed');
    expect(statuses.at(-1)?.error).toBeInstanceOf(NetworkError);
    view.close();
    forum.close();
  });

  it('treats a 404 after a broken DELETE attempt as done', async () => {
    server = await startHttpServer((_, res, i, req) => (i === 0 ? req.socket.destroy() : problem(res, 404, 'not-found')));
    const forum = createClient({ baseUrl: server.url, ...fast });
    const { data, error } = await forum.comments.delete('p1', 'c1');
    expect(error).toBeUndefined();
    expect(data).toBeNull();
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['DELETE /api/comments/p1/c1', 'DELETE /api/comments/p1/c1']);
  });

  it('checks a 409 after a broken account creation by logging in', async () => {
    const user = { login: 'ana', displayName: 'Ana', scopes: [], createdAt: '2026-11-24T12:00:00.000Z' };
    server = await startHttpServer((request, res, i, req) => {
      if (i === 0) return req.socket.destroy();
      if (request.method === 'PUT') return problem(res, 409, 'conflict');
      const { password } = JSON.parse(request.body) as { password: string };
      if (password === 'right password') return json(res, 200, { token: 't', expiresAt: '2026-11-25T12:00:00.000Z', user });
      problem(res, 401, 'unauthorized');
    });
    const forum = createClient({ baseUrl: server.url, ...fast });
    const ok = await forum.users.create('ana', { password: 'right password', displayName: 'Ana' });
    expect(ok.error).toBeUndefined();
    expect(ok.data).toEqual(user);
    expect(forum.token).toBeUndefined();

    server.requests.length = 0;
    const taken = await forum.users.create('ana', { password: 'another password' });
    expect(taken.error?.status).toBe(409);
    expect(server.requests.map((r) => r.method)).toEqual(['PUT', 'PUT', 'POST']);
  });

  it('keeps the token from login and sends it, then revokes and forgets it on logout', async () => {
    const user = { login: 'ana', displayName: 'Ana', scopes: ['read'], createdAt: '2026-11-24T12:00:00.000Z' };
    server = await startHttpServer((request, res) =>
      request.url === '/api/authenticate'
        ? json(res, 200, { token: 'jwt-1', expiresAt: '2026-11-25T12:00:00.000Z', user })
        : json(res, 200, user),
    );
    const forum = createClient({ baseUrl: `${server.url}/`, ...fast });
    const { data } = await forum.login('ana', 'pw');
    expect(data?.user).toEqual(user);
    expect(forum.token).toBe('jwt-1');
    await forum.me();
    await forum.logout();
    await forum.users.get('ana');
    expect(server.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ['POST', '/api/authenticate', undefined],
      ['GET', '/api/me', 'Bearer jwt-1'],
      ['DELETE', '/api/authenticate', 'Bearer jwt-1'],
      ['GET', '/api/users/ana', undefined],
    ]);
  });

  it('walks every page with all()', async () => {
    const posts = [post(), post(), post()];
    server = await startHttpServer((request, res) => {
      const cursor = new URL(request.url, 'http://x').searchParams.get('cursor');
      const at = cursor === null ? 0 : Number(cursor);
      json(res, 200, { items: posts.slice(at, at + 2), nextCursor: at + 2 < posts.length ? String(at + 2) : null });
    });
    const forum = createClient({ baseUrl: server.url, ...fast });
    const seen = [];
    for await (const p of forum.posts.all({ sort: 'new', limit: 2 })) seen.push(p);
    expect(seen).toEqual(posts);
    expect(server.requests.map((r) => r.url)).toEqual(['/api/posts?sort=new&limit=2', '/api/posts?sort=new&limit=2&cursor=2']);
  });

  it('throws from all() when a page fails', async () => {
    server = await startHttpServer((_, res) => problem(res, 404, 'not-found'));
    const forum = createClient({ baseUrl: server.url, ...fast });
    await expect(async () => {
      for await (const c of forum.comments.all('missing')) void c;
    }).rejects.toBeInstanceOf(ApiError);
  });
});

describe('backoff', () => {
  it('grows from 0.5 s to a 5 s cap, jittered down to half', () => {
    for (let retry = 1; retry <= 8; retry++) {
      const cap = Math.min(500 * 2 ** (retry - 1), 5000);
      for (let i = 0; i < 50; i++) {
        const delay = defaultRetryDelay(retry);
        expect(delay).toBeGreaterThanOrEqual(cap / 2);
        expect(delay).toBeLessThanOrEqual(cap);
      }
    }
  });

  it('reads Retry-After as seconds or as a date', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 12:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
