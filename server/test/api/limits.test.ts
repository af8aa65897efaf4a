import { startTestServer, type TestServer } from '../support/server.js';

describe('rate limits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      limits: {
        requestsPerIp: { max: 100_000, windowMs: 60_000 },
        loginsPerIp: { max: 1000, windowMs: 60_000 },
        failedLoginsPerLoginAndIp: { max: 5, windowMs: 60_000 },
        signupsPerIp: { max: 1000, windowMs: 60_000 },
        writesPerUser: { max: 10, windowMs: 60_000 },
      },
    });
  });
  afterAll(() => t.cleanup());

  test('failed logins per login and IP → 429 with Retry-After, also for the right password', async () => {
    await t.signUp('target');
    for (let i = 0; i < 5; i += 1) {
      expect((await t.call('POST', '/api/authenticate', { body: { login: 'target', password: `guess-${i}` } })).status).toBe(401);
    }
    const limited = await t.call('POST', '/api/authenticate', { body: { login: 'target', password: 'guess-x' } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await t.call('POST', '/api/authenticate', { body: { login: 'target', password: 'target-password' } })).status).toBe(429);
  });

  test('writes per user → 429 and nothing written past the limit', async () => {
    const token = await t.signUp('writer');
    const results = [];
    for (let i = 0; i < 12; i += 1) results.push(await t.call('POST', '/api/posts', { token, body: { title: `w${i}` } }));
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.slice(10).map((r) => r.status)).toEqual([429, 429]);
    const mine = (await t.call('GET', '/api/posts?sort=new&limit=100')).body.items.filter((p: { author: string }) => p.author === 'writer');
    expect(mine).toHaveLength(10);
  });
});

describe('login attempts per IP', () => {
  test('→ 429 with Retry-After', async () => {
    const t = await startTestServer({ limits: { loginsPerIp: { max: 3, windowMs: 60_000 } } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i += 1)
        statuses.push((await t.call('POST', '/api/authenticate', { body: { login: `who${i}`, password: 'x-password' } })).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await t.cleanup();
    }
  });
});

describe('CORS allowlist', () => {
  let t: TestServer;
  let token: string;
  beforeAll(async () => {
    t = await startTestServer({ env: { CORS_ORIGINS: 'https://blog.example.com,*' } });
    token = await t.signUp('cors');
  });
  afterAll(() => t.cleanup());

  test('a listed origin may read and write', async () => {
    const pre = await fetch(`${t.url}/api/posts`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://blog.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://blog.example.com');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    const r = await t.call('POST', '/api/posts', { token, body: { title: 'from blog' }, headers: { origin: 'https://blog.example.com' } });
    expect(r.status).toBe(201);
    expect(r.headers.get('access-control-allow-origin')).toBe('https://blog.example.com');
  });

  test('with *, any origin may read but not write', async () => {
    const read = await t.call('GET', '/api/posts', { headers: { origin: 'https://evil.example' } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe('*');
    const pre = await fetch(`${t.url}/api/posts`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const before = (await t.call('GET', '/api/posts')).body.items.length;
    const write = await t.call('POST', '/api/posts', { token, body: { title: 'from evil' }, headers: { origin: 'https://evil.example' } });
    expect(write.status).toBe(403);
    expect((await t.call('GET', '/api/posts')).body.items.length).toBe(before);
  });

  test('without *, other origins get no CORS headers', async () => {
    const strict = await startTestServer({ env: { CORS_ORIGINS: 'https://blog.example.com' } });
    try {
      const r = await strict.call('GET', '/api/posts', { headers: { origin: 'https://evil.example' } });
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await strict.cleanup();
    }
  });
});

test('X-Forwarded-For is ignored unless TRUST_PROXY names the peer', async () => {
  const limits = { signupsPerIp: { max: 2, windowMs: 60_000 } };
  const spoofed = async (server: TestServer, n: number) =>
    (
      await server.call('PUT', `/api/users/spoof${n}`, {
        body: { password: 'spoof-password' },
        headers: { 'x-forwarded-for': `10.0.0.${n}` },
      })
    ).status;
  const plain = await startTestServer({ limits });
  try {
    expect([await spoofed(plain, 1), await spoofed(plain, 2), await spoofed(plain, 3)]).toEqual([201, 201, 429]);
  } finally {
    await plain.cleanup();
  }
  const proxied = await startTestServer({ limits, env: { TRUST_PROXY: 'loopback' } });
  try {
    expect([await spoofed(proxied, 1), await spoofed(proxied, 2), await spoofed(proxied, 3)]).toEqual([201, 201, 201]);
  } finally {
    await proxied.cleanup();
  }
});

test('guesses of the current password at a password change count against the login from every address together, as sign-ins do', async () => {
  const limits = { failedLoginsPerLogin: { max: 3, windowMs: 60_000 }, failedLoginsPerLoginAndIp: { max: 100, windowMs: 60_000 } };
  const server = await startTestServer({ limits, env: { TRUST_PROXY: 'loopback' } });
  try {
    const token = await server.signUp('guessed');
    const change = async (n: number, oldPassword: string) =>
      (
        await server.call('PUT', '/api/me/password', {
          token,
          body: { oldPassword, newPassword: `new-password-${n}` },
          headers: { 'x-forwarded-for': `10.0.1.${n}` },
        })
      ).status;
    const statuses = [];
    for (let n = 1; n <= 5; n++) statuses.push(await change(n, `wrong-guess-${n}`));
    expect(statuses).toEqual([403, 403, 403, 429, 429]);
  } finally {
    await server.cleanup();
  }
});

test('an answer costs a request per 64 KiB of its body: pages of the longest posts soon meet the per-address limit, small ones do not', async () => {
  const limits = { requestsPerIp: { max: 50, windowMs: 60_000 }, writesPerUser: { max: 1_000, windowMs: 60_000 } };
  const server = await startTestServer({ limits, env: { TRUST_PROXY: 'loopback' } });
  try {
    const writer = await server.signUp('long-writer');
    for (let i = 0; i < 30; i++) {
      const body = { title: `long ${i}`, text: 'x'.repeat(40_000) };
      const created = await server.call('POST', '/api/posts', { token: writer, body, headers: { 'x-forwarded-for': '10.0.2.1' } });
      expect(created.status).toBe(201);
    }
    const reader = await server.signUp('reader');
    // About 1.2 MB a page: 18 requests more each.
    const read = async (from: string, query: string, token?: string) =>
      (await server.call('GET', `/api/posts?${query}`, { token, headers: { 'x-forwarded-for': from } })).status;
    const anonymous = [];
    for (let i = 0; i < 4; i++) anonymous.push(await read('10.0.2.2', 'sort=new&limit=30'));
    expect(anonymous).toEqual([200, 200, 200, 429]);
    const signedIn = [];
    for (let i = 0; i < 4; i++) signedIn.push(await read('10.0.2.3', 'sort=new&limit=30', reader));
    expect(signedIn).toEqual([200, 200, 200, 429]);
    // A page of one such post costs its request alone.
    const small = [];
    for (let i = 0; i < 20; i++) small.push(await read('10.0.2.4', 'sort=new&limit=1'));
    expect(small.every((status) => status === 200)).toBe(true);
    // The HTML page of a post whose text HTML escapes (240 KB for 40,000 quotes) costs as the API's answers do.
    const quoted = await server.call('POST', '/api/posts', {
      token: writer,
      body: { title: 'quoted', text: '"'.repeat(40_000) },
      headers: { 'x-forwarded-for': '10.0.2.1' },
    });
    const html = [];
    for (let i = 0; i < 14; i++)
      html.push((await server.call('GET', `/p/${quoted.body.id}`, { headers: { 'x-forwarded-for': '10.0.2.5' } })).status);
    expect(html.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(html.at(-1)).toBe(429);
  } finally {
    await server.cleanup();
  }
});
