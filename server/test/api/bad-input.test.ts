import { connect } from 'node:net';
import fc from 'fast-check';
import { operations } from '../../src/openapi/operations.js';
import { ADMIN, startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
let admin: string;
let ana: string;
let postId!: string;

beforeAll(async () => {
  t = await startTestServer();
  admin = await t.login(ADMIN.login, ADMIN.password);
  ana = await t.signUp('ana');
  postId = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'fixture' } })).body.id;
  await t.call('PUT', `/api/comments/${postId}`, { token: ana, body: { text: 'fixture comment' } });
});
afterAll(() => t.cleanup());

const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Everything a client can observe of the store. */
async function snapshot(): Promise<string> {
  const [users, posts, comments] = await Promise.all([
    t.call('GET', '/api/users?limit=100', { token: admin }),
    t.call('GET', '/api/posts?sort=new&limit=100'),
    t.call('GET', `/api/comments/${postId}?limit=200`),
  ]);
  return JSON.stringify([users.body, posts.body, comments.body]);
}

function bodyValidator(operationId: string) {
  return operations.find((o) => o.operationId === operationId)!.validateBody!;
}

const targets = [
  {
    operationId: 'authenticate',
    method: 'POST',
    path: () => '/api/authenticate',
    token: () => undefined,
    valid: { login: 'ana', password: 'ana-password' },
  },
  {
    operationId: 'createUser',
    method: 'PUT',
    path: () => '/api/users/fuzzed',
    token: () => undefined,
    valid: { password: 'long-enough-pw', displayName: 'F' },
  },
  {
    operationId: 'createPost',
    method: 'POST',
    path: () => '/api/posts',
    token: () => ana,
    valid: { title: 'ok', url: 'https://example.com', text: 'x' },
  },
  {
    operationId: 'createComment',
    method: 'PUT',
    path: () => `/api/comments/${postId}`,
    token: () => ana,
    valid: { text: 'ok', parentId: postId },
  },
] as const;

/** A value of the wrong JSON type for any member. */
const wrongValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  fc.string({ minLength: 300_000 / 1000, maxLength: 400 }).map((s) => s.repeat(120)),
);

/** Mutations of a valid body that are never valid. */
function invalidBodies(valid: Record<string, unknown>, validate: (v: unknown) => unknown[]) {
  const keys = Object.keys(valid);
  const mutated = fc.oneof(
    // A member of the wrong type or a huge string.
    fc.tuple(fc.constantFrom(...keys), wrongValue).map(([k, v]) => ({ ...valid, [k]: v })),
    // An unknown member.
    fc
      .tuple(
        fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !keys.includes(k) && k !== '__proto__'),
        fc.jsonValue(),
      )
      .map(([k, v]) => ({ ...valid, [k]: v })),
    // A required member missing.
    fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(valid).filter(([key]) => key !== k))),
    // Anything at all.
    fc.jsonValue(),
  );
  return mutated.filter((body) => validate(body).length > 0);
}

describe.each(targets)('$operationId with bodies generated from its schema', (target) => {
  test('invalid bodies → 4xx problem+json, store unchanged', async () => {
    const before = await snapshot();
    const validate = bodyValidator(target.operationId);
    await fc.assert(
      fc.asyncProperty(invalidBodies(target.valid, validate), async (body) => {
        const r = await t.call(target.method, target.path(), { token: target.token(), body });
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
    expect(await snapshot()).toBe(before);
  }, 60_000);

  test('broken JSON, wrong content types, oversized bodies → 400/415/413', async () => {
    const before = await snapshot();
    const send = (raw: string | Buffer, contentType?: string) =>
      t.call(target.method, target.path(), { token: target.token(), raw, ...(contentType && { contentType }) });
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 50 }), async (text) => {
        fc.pre(!isJson(text));
        expect((await send(text, 'application/json')).status).toBe(400);
      }),
      { numRuns: 40 },
    );
    const broken = await send('{"title": "x",}', 'application/json');
    expect([broken.status, broken.body.detail]).toEqual([400, 'The body is not valid JSON']);
    // JSON, but not an object: said so, not called broken.
    for (const json of ['null', '"hello"', '42', 'true']) {
      const answer = await send(json, 'application/json');
      expect([json, answer.status, answer.body.detail]).toEqual([json, 400, 'The body must be a JSON object']);
    }
    expect((await send(JSON.stringify(target.valid), 'text/plain')).status).toBe(415);
    expect((await send(JSON.stringify(target.valid), 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await send(JSON.stringify(target.valid))).status).toBe(415);
    expect((await send(Buffer.from(JSON.stringify(target.valid), 'latin1'), 'application/json; charset=iso-8859-1')).status).toBe(415);
    const huge = JSON.stringify({ ...target.valid, text: 'x'.repeat(300 * 1024) });
    const tooLarge = await send(huge, 'application/json');
    expect([tooLarge.status, tooLarge.body.detail]).toEqual([413, 'The body is larger than the limit of 256 KiB']);
    expect(await snapshot()).toBe(before);
  }, 60_000);
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

test('a method a path of the API does not take is a 405 naming those it does (Allow); an unknown path a 404', async () => {
  for (const [method, path, allow] of [
    ['PATCH', `/api/posts/${postId}`, 'DELETE, GET, HEAD'],
    ['POST', `/api/posts/${postId}/`, 'DELETE, GET, HEAD'],
    ['HEAD', '/api/authenticate', 'DELETE, POST'],
    ['PUT', `/api/posts/${postId}/upvotes`, 'POST'],
  ] as const) {
    const r = await fetch(`${t.url}${path}`, { method, headers: { authorization: `Bearer ${ana}` } });
    expect({ method, path, status: r.status, allow: r.headers.get('allow'), type: r.headers.get('content-type') }).toEqual({
      method,
      path,
      status: 405,
      allow,
      type: 'application/problem+json; charset=utf-8',
    });
  }
  // OPTIONS names the same methods.
  const options = await fetch(`${t.url}/api/posts/${postId}`, { method: 'OPTIONS' });
  expect([options.status, options.headers.get('allow')]).toEqual([200, 'DELETE, GET, HEAD']);
  expect((await fetch(`${t.url}/api/nothing-here`, { method: 'PATCH' })).status).toBe(404);
  expect((await fetch(`${t.url}/api/posts/${postId}/nothing`)).status).toBe(404);
  // Their words name the path as it was asked for, /api and all.
  const words = async (method: string, path: string) =>
    ((await (await fetch(`${t.url}${path}`, { method })).json()) as { detail: string }).detail;
  expect(await words('POST', '/api')).toBe('/api/ takes GET, HEAD');
  expect(await words('GET', '/api/nope')).toBe('No route for GET /api/nope');
});

test('a body naming a member twice is a 400, however the name is written, and nothing is stored', async () => {
  const before = await snapshot();
  const send = (body: string) =>
    fetch(`${t.url}/api/posts`, { method: 'POST', headers: { authorization: `Bearer ${ana}`, 'content-type': 'application/json' }, body });
  for (const body of [
    '{"title":"first","title":"second"}',
    '{"title":"first", "\\u0074itle" :"second"}',
    '{"title":"ok","text":"x","url":"https://example.com/","text":"y"}',
  ]) {
    const r = await send(body);
    expect({ body, status: r.status }).toEqual({ body, status: 400 });
    expect(((await r.json()) as { detail: string }).detail).toMatch(/more than once/);
  }
  const login = await fetch(`${t.url}/api/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"login":"nobody","login":"ana","password":"ana-password"}',
  });
  expect(login.status).toBe(400);
  expect(await snapshot()).toBe(before);
  // The same name in objects of their own, in strings and as a value, is no repetition.
  const fine = await send('{"title":"title: \\"title\\": {\\"title\\":1}","text":"title"}');
  expect(fine.status).toBe(201);
  await t.call('DELETE', `/api/posts/${((await fine.json()) as { id: string }).id}`, { token: ana });
});

/** Sends `body` as it is as ana's new post; expects a 400 problem whose detail matches `detail` (`label` names the case). */
async function expectPostRefused(label: string, body: string | Buffer, detail: RegExp): Promise<void> {
  const r = await fetch(`${t.url}/api/posts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ana}`, 'content-type': 'application/json' },
    body,
  });
  expect({ label, status: r.status, type: r.headers.get('content-type') }).toEqual({
    label,
    status: 400,
    type: 'application/problem+json; charset=utf-8',
  });
  expect(((await r.json()) as { detail: string }).detail).toMatch(detail);
}

test('a lone UTF-16 surrogate in a body is a 400, not stored as U+FFFD', async () => {
  const before = await snapshot();
  for (const body of ['{"title":"a\\ud800b"}', '{"title":"ok","text":"\\udc00"}', '{"title":"ok","\\ud800":1}']) {
    await expectPostRefused(body, body, /lone UTF-16 surrogate/);
  }
  // A pair is one character, taken as it is.
  const pair = await t.call('POST', '/api/posts', { token: ana, body: { title: 'a \ud83d\ude00 b' } });
  expect(pair.status).toBe(201);
  expect(pair.body.title).toBe('a 😀 b');
  await t.call('DELETE', `/api/posts/${pair.body.id}`, { token: ana });
  expect(await snapshot()).toBe(before);
});

test('a body nested deeper than 64 levels is a 400 on any /api path, and the node keeps answering', async () => {
  const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  for (const [method, path, body] of [
    ['POST', '/api/authenticate', arrays(5000)],
    ['PUT', '/api/users/deep', objects(5000)],
    ['POST', '/api/no-such-route', arrays(5000)],
    ['PUT', '/api/no-such-route', objects(5000)],
    ['POST', '/api/authenticate', arrays(65)],
    ['POST', '/api/authenticate', `{"login":${objects(64)},"password":"x"}`],
  ] as const) {
    const r = await fetch(`${t.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body });
    expect({ method, path, length: body.length, status: r.status, type: r.headers.get('content-type') }).toEqual({
      method,
      path,
      length: body.length,
      status: 400,
      type: 'application/problem+json; charset=utf-8',
    });
    expect(((await r.json()) as { detail: string }).detail).toMatch(/more than 64 levels deep/);
  }
  // At the limit the body is read, and judged by the schema.
  const atLimit = await fetch(`${t.url}/api/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: arrays(64),
  });
  expect(atLimit.status).toBe(422);
  expect((await t.call('GET', '/api/posts')).status).toBe(200);
});

test('a body that is not valid UTF-8 is a 400, not stored with U+FFFD, and a leading BOM is allowed', async () => {
  const before = await snapshot();
  const title = (bytes: number[]) => Buffer.concat([Buffer.from('{"title":"a'), Buffer.from(bytes), Buffer.from('b"}')]);
  const bodies = {
    'FF FE': title([0xff, 0xfe]),
    'overlong C0 AF': title([0xc0, 0xaf]),
    'truncated E2 82': title([0xe2, 0x82]),
    'encoded surrogate ED A0 80': title([0xed, 0xa0, 0x80]),
    'invalid member name': Buffer.concat([Buffer.from('{"title":"ok","'), Buffer.from([0xff]), Buffer.from('":1}')]),
  };
  for (const [name, body] of Object.entries(bodies)) await expectPostRefused(name, body, /UTF-8/);
  expect(await snapshot()).toBe(before);
  // RFC 8259 lets a parser ignore a leading byte order mark.
  const bom = await fetch(`${t.url}/api/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"login":"ana","password":"ana-password"}')]),
  });
  expect(bom.status).toBe(200);
});

/** Sends `text` as it is on a new connection; resolves to all the server wrote before it closed. */
function rawExchange(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.once('end', () => resolve(answer)).once('error', reject);
  });
}

test('what Node cannot parse as a request (headers over the limit, a malformed Content-Length) gets problem+json too', async () => {
  const cases = [
    [`GET /api/posts?q=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, '431 Request Header Fields Too Large', 'headers-too-large'],
    ...['abc', '-1', '5, 6'].map(
      (length) => [`POST /api/posts HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n{}`, '400 Bad Request', 'bad-request'] as const,
    ),
  ];
  for (const [request, status, kind] of cases) {
    const answer = await rawExchange(t.url, request);
    expect(answer.slice(0, answer.indexOf('\r\n'))).toBe(`HTTP/1.1 ${status}`);
    expect(answer).toMatch(/\r\nContent-Type: application\/problem\+json; charset=utf-8\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ type: `urn:news-forum:problem:${kind}` });
  }
  expect((await t.call('GET', '/api/posts')).status).toBe(200);
});

test('an operation that takes no body refuses one, whatever its type, and changes nothing', async () => {
  const before = await snapshot();
  for (const contentType of ['text/plain', 'application/json']) {
    const r = await t.call('POST', `/api/posts/${postId}/downvotes`, {
      token: ana,
      raw: contentType === 'text/plain' ? 'hello' : '{}',
      contentType,
    });
    expect([contentType, r.status, r.body.detail]).toEqual([contentType, 400, 'This operation takes no body']);
  }
  expect(await snapshot()).toBe(before);
  // Without one, the vote counts.
  expect((await t.call('POST', `/api/posts/${postId}/downvotes`, { token: ana })).status).toBe(200);
  expect((await t.call('DELETE', `/api/posts/${postId}/vote`, { token: ana })).status).toBe(200);
});

test('a post URL without a host is a 422, and nothing is stored', async () => {
  const before = await snapshot();
  for (const url of ['https://', 'http://?q', 'https:///path', 'https://#top']) {
    const r = await t.call('POST', '/api/posts', { token: ana, body: { title: 'no host', url } });
    expect({ url, status: r.status }).toEqual({ url, status: 422 });
  }
  expect((await t.call('PUT', `/api/posts/${postId}/edit`, { token: ana, body: { url: 'https://' } })).status).toBe(422);
  expect(await snapshot()).toBe(before);
});

test('NUL characters anywhere in input are a 4xx, not a 500, and nothing is stored', async () => {
  const before = (await t.call('GET', '/api/posts?sort=new')).body.items.length;
  expect((await t.call('POST', '/api/authenticate', { body: { login: 'a\u0000b', password: 'whatever-1' } })).status).toBe(400);
  // In text a reader writes, the contract refuses every control character but tab and line breaks.
  expect((await t.call('PUT', '/api/users/carol', { body: { password: 'carol-password', displayName: 'x\u0000' } })).status).toBe(422);
  expect((await t.call('POST', '/api/posts', { token: ana, body: { title: 'nul \u0000 title' } })).status).toBe(422);
  expect((await t.call('PUT', `/api/comments/${postId}`, { token: ana, body: { text: 'nul \u0000' } })).status).toBe(422);
  expect((await t.call('GET', '/api/users/carol', { token: admin })).status).toBe(404);
  expect((await t.call('GET', '/api/posts?sort=new')).body.items.length).toBe(before);
});

describe('path and query parameters', () => {
  const notAnId = fc
    .string({ minLength: 1, maxLength: 60 })
    .filter((s) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s) && s !== '.' && s !== '..');

  test('post and comment ids that are not ids → 400, store unchanged', async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        notAnId,
        fc.constantFrom(
          'GET /api/posts/:x',
          'POST /api/posts/:x/upvotes',
          'DELETE /api/posts/:x/vote',
          'GET /api/comments/:x',
          'PUT /api/comments/:x',
          'DELETE /api/comments/:p/:x',
          'DELETE /api/posts/:x',
        ),
        async (id, route) => {
          const [method, template] = route.split(' ') as [string, string];
          const path = template.replace(':p', postId).replace(':x', encodeURIComponent(id));
          const r = await t.call(method, path, { token: ana, ...(method === 'PUT' && { body: { text: 'x' } }) });
          expect(r.status).toBe(400);
        },
      ),
      { numRuns: 80 },
    );
    expect(await snapshot()).toBe(before);
  }, 60_000);

  test('logins that are not logins → 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/^[a-z0-9][a-z0-9_-]{2,31}$/.test(s) && s !== '.' && s !== '..'),
        async (login) => {
          const r = await t.call('PUT', `/api/users/${encodeURIComponent(login)}`, { body: { password: 'long-enough-pw' } });
          expect(r.status).toBe(400);
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);

  test('bad sort, limit and cursor → 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          sort: fc.string({ maxLength: 8 }).filter((s) => !['hot', 'new', 'top'].includes(s)),
          limit: fc.oneof(
            fc.integer({ min: 101 }),
            fc.integer({ max: 0 }),
            fc.string({ minLength: 1, maxLength: 5 }).filter((s) => !/^\d+$/.test(s)),
          ),
          cursor: fc.oneof(
            fc.string({ minLength: 201, maxLength: 300 }),
            fc.string({ minLength: 1, maxLength: 20 }).filter((s) => /[^A-Za-z0-9_-]/.test(s)),
          ),
        }),
        fc.constantFrom('sort', 'limit', 'cursor'),
        async (values, which) => {
          const r = await t.call('GET', `/api/posts?${which}=${encodeURIComponent(String(values[which]))}`);
          expect(r.status).toBe(400);
        },
      ),
      { numRuns: 60 },
    );
    // Well-formed but meaningless cursors too.
    expect((await t.call('GET', '/api/posts?cursor=abcdef')).status).toBe(400);
    expect((await t.call('GET', `/api/comments/${postId}?cursor=${Buffer.from('{"x":1}').toString('base64url')}`)).status).toBe(400);
    expect((await t.call('GET', '/api/posts?limit=1&limit=2')).status).toBe(400);
  }, 60_000);

  test('numbers in the query are decimal: hexadecimal, exponents, signs, spaces and leading zeros are a 400', async () => {
    for (const limit of ['0x10', '1e1', ' 10', '10 ', '+5', '5.0', '010']) {
      for (const path of ['/api/posts?limit=', `/api/comments/${postId}?limit=`, '/api/users?limit=']) {
        const r = await t.call('GET', `${path}${encodeURIComponent(limit)}`, { token: admin });
        expect({ path, limit, status: r.status, type: r.headers.get('content-type') }).toEqual({
          path,
          limit,
          status: 400,
          type: 'application/problem+json; charset=utf-8',
        });
      }
    }
    expect((await t.call('GET', '/api/posts?limit=10')).status).toBe(200);
    expect((await t.call('GET', '/api/users?limit=10', { token: admin })).status).toBe(200);
  });

  test('an If-None-Match longer than the contract allows is a 400, also once memory answers the page', async () => {
    const url = `${t.url}/api/posts?sort=new&limit=7`;
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url)).status).toBe(200);
    const r = await fetch(url, { headers: { 'if-none-match': `"${'a'.repeat(2000)}"` } });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect((await fetch(url, { headers: { 'if-none-match': '"x"' } })).status).toBe(200);
  });

  test('well-formed cursors with out-of-range values are a 400', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const [path, value] of [
      ['/api/posts?sort=top', ['top', 1e20, '2020-01-01T00:00:00.000Z', id]],
      ['/api/posts?sort=new', ['new', '2020-02-30T00:00:00.000Z', id]],
      [`/api/comments/${postId}?limit=5`, ['comments', '2020-02-30T00:00:00.000Z', id]],
    ] as const) {
      const r = await t.call('GET', `${path}&cursor=${cursor(value)}`);
      expect(r.status).toBe(400);
    }
  });

  test('a malformed percent-encoding is a 400, not a crash', async () => {
    const r = await fetch(`${t.url}/api/posts/%E0%A4%A`);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
