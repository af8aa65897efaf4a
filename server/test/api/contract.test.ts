import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { operations } from '../../src/openapi/operations.js';
import { spec, specPath } from '../../src/openapi/spec.js';
import { handlers } from '../../src/routes/index.js';
import { calledOperations } from '../support/http-client.js';
import { eventually } from '../support/live-client.js';
import { ADMIN, startTestServer, type TestServer } from '../support/server.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.cleanup();
});

describe('openapi.yaml', () => {
  test('passes the Redocly linter with the project rules', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [path('node_modules/@redocly/cli/bin/cli.js'), 'lint', specPath, '--format', 'stylish'],
      {
        cwd: root,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    expect(`${stdout}${stderr}`).toMatch(/valid/i);
  }, 60_000);

  test('every seed route keeps its method and path', () => {
    const seed = [
      'post /authenticate',
      'get /posts',
      'put /users/{login}',
      'get /comments/{pid}',
      'put /comments/{pid}',
      'post /posts',
      'post /posts/{pid}/upvotes',
      'post /posts/{pid}/downvotes',
      'delete /users/{login}',
      'delete /comments/{pid}/{id}',
      'get /users',
      'get /users/{login}',
    ];
    const ours = operations.map((o) => `${o.method} ${o.path}`);
    expect(ours).toEqual(expect.arrayContaining(seed));
    expect(ours).toEqual(
      expect.arrayContaining(['get /', 'get /posts/{pid}', 'delete /posts/{pid}', 'delete /posts/{pid}/vote', 'get /me']),
    );
  });

  test('operationIds are unique camelCase and every one has a handler, and every handler an operation', () => {
    const ids = operations.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z]+$/);
    expect(Object.keys(handlers).sort()).toEqual([...ids].sort());
  });

  test('every protected operation declares 401, every scoped one 403', () => {
    for (const o of operations) {
      if (o.security.required) expect([o.operationId, o.declaresStatus(401)]).toEqual([o.operationId, true]);
      if (o.security.scopes.length > 0) expect([o.operationId, o.declaresStatus(403)]).toEqual([o.operationId, true]);
    }
  });
});

function path(relative: string): string {
  return `${root}${relative}`;
}

describe('every operation, success and main failure', () => {
  let admin: string;
  let ana: string;
  let bob: string;
  let postId: string;
  let commentId: string;

  beforeAll(async () => {
    admin = await t.login(ADMIN.login, ADMIN.password);
    ana = await t.signUp('ana');
    bob = await t.signUp('bob');
  });

  test('getApiInfo names the instance', async () => {
    const r = await t.call('GET', '/api');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      name: 'news-forum',
      version: spec.info.version,
      instance: expect.any(String),
      editWindowSeconds: 900,
      flagThreshold: 3,
      // The test servers' (support/server.ts); the default is a day (config.test.ts).
      flagMinAccountAgeSeconds: 0,
    });
  });

  test('authenticate: token with expiry; wrong password 401', async () => {
    const ok = await t.call('POST', '/api/authenticate', { body: { login: 'ana', password: 'ana-password' } });
    expect(ok.status).toBe(200);
    expect(ok.body.user).toEqual({ login: 'ana', displayName: 'ana', scopes: [], createdAt: expect.any(String) });
    expect(Date.parse(ok.body.expiresAt)).toBeGreaterThan(Date.now());
    const bad = await t.call('POST', '/api/authenticate', { body: { login: 'ana', password: 'nope-nope' } });
    expect(bad.status).toBe(401);
  });

  test('getMe: the caller; no token 401', async () => {
    expect((await t.call('GET', '/api/me', { token: ana })).body.login).toBe('ana');
    expect((await t.call('GET', '/api/me')).status).toBe(401);
  });

  test('createUser: 201 with Location; taken 409; scopes need admin', async () => {
    const created = await t.call('PUT', '/api/users/carla', { body: { password: 'carla-password', displayName: 'Carla' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/users/carla');
    expect(created.body).toEqual({ login: 'carla', displayName: 'Carla', scopes: [], createdAt: expect.any(String) });
    expect((await t.call('PUT', '/api/users/carla', { body: { password: 'another-password' } })).status).toBe(409);
    expect((await t.call('PUT', '/api/users/mod1', { body: { password: 'mod-password', scopes: ['delete'] } })).status).toBe(401);
    expect((await t.call('PUT', '/api/users/mod1', { token: ana, body: { password: 'mod-password', scopes: ['delete'] } })).status).toBe(
      403,
    );
    const mod = await t.call('PUT', '/api/users/mod1', { token: admin, body: { password: 'mod-password', scopes: ['read', 'delete'] } });
    expect(mod.status).toBe(201);
    expect(mod.body.scopes).toEqual(['read', 'delete']);
  });

  test('listUsers and getUser need scope read', async () => {
    const list = await t.call('GET', '/api/users?limit=2', { token: admin });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(typeof list.body.nextCursor).toBe('string');
    expect((await t.call('GET', '/api/users', { token: ana })).status).toBe(403);
    expect((await t.call('GET', '/api/users/ana', { token: admin })).body.login).toBe('ana');
    expect((await t.call('GET', '/api/users/nobody', { token: admin })).status).toBe(404);
    expect((await t.call('GET', '/api/users/ana', { token: ana })).status).toBe(403);
  });

  test('createPost: 201 with Location; no token 401', async () => {
    const r = await t.call('POST', '/api/posts', { token: ana, body: { title: 'Hello', url: 'https://example.com/a' } });
    expect(r.status).toBe(201);
    postId = r.body.id;
    expect(r.headers.get('location')).toBe(`/api/posts/${postId}`);
    expect(r.body).toMatchObject({
      title: 'Hello',
      url: 'https://example.com/a',
      text: null,
      author: 'ana',
      upvotes: 0,
      downvotes: 0,
      score: 0,
      commentCount: 0,
      myVote: 0,
    });
    expect((await t.call('POST', '/api/posts', { body: { title: 'x' } })).status).toBe(401);
  });

  test('listPosts and getPost; unknown post 404', async () => {
    const list = await t.call('GET', '/api/posts?sort=new');
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toContain(postId);
    expect(list.body.items[0]).not.toHaveProperty('myVote');
    expect((await t.call('GET', `/api/posts/${postId}`, { token: bob })).body.myVote).toBe(0);
    expect((await t.call('GET', '/api/posts/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  test('upvotePost, downvotePost, retractVote; unknown post 404', async () => {
    const up = await t.call('POST', `/api/posts/${postId}/upvotes`, { token: bob });
    expect(up.body).toMatchObject({ upvotes: 1, downvotes: 0, score: 1, myVote: 1 });
    const down = await t.call('POST', `/api/posts/${postId}/downvotes`, { token: bob });
    expect(down.body).toMatchObject({ upvotes: 0, downvotes: 1, score: -1, myVote: -1 });
    expect(down.body.version).toBeGreaterThan(up.body.version);
    const retract = await t.call('DELETE', `/api/posts/${postId}/vote`, { token: bob });
    expect(retract.body).toMatchObject({ upvotes: 0, downvotes: 0, score: 0, myVote: 0 });
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await t.call('POST', `/api/posts/${missing}/upvotes`, { token: bob })).status).toBe(404);
    expect((await t.call('POST', `/api/posts/${missing}/downvotes`, { token: bob })).status).toBe(404);
    expect((await t.call('DELETE', `/api/posts/${missing}/vote`, { token: bob })).status).toBe(404);
  });

  test('createComment and listComments; comment on unknown post 404', async () => {
    const c = await t.call('PUT', `/api/comments/${postId}`, { token: bob, body: { text: 'first' } });
    expect(c.status).toBe(201);
    commentId = c.body.id;
    expect(c.body).toMatchObject({ postId, parentId: null, author: 'bob', text: 'first' });
    const reply = await t.call('PUT', `/api/comments/${postId}`, { token: ana, body: { text: 'reply', parentId: commentId } });
    expect(reply.body.parentId).toBe(commentId);
    const list = await t.call('GET', `/api/comments/${postId}`);
    expect(list.body.items.map((x: { text: string }) => x.text)).toEqual(['first', 'reply']);
    expect((await t.call('GET', `/api/posts/${postId}`)).body.commentCount).toBe(2);
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await t.call('PUT', `/api/comments/${missing}`, { token: bob, body: { text: 'x' } })).status).toBe(404);
    expect((await t.call('GET', `/api/comments/${missing}`)).status).toBe(404);
  });

  test('deleteComment: author or delete scope; others 403', async () => {
    expect((await t.call('DELETE', `/api/comments/${postId}/${commentId}`, { token: ana })).status).toBe(403);
    expect((await t.call('DELETE', `/api/comments/${postId}/${commentId}`, { token: bob })).status).toBe(204);
    expect((await t.call('DELETE', `/api/comments/${postId}/${commentId}`, { token: bob })).status).toBe(404);
    // The reply went with its parent.
    expect((await t.call('GET', `/api/comments/${postId}`)).body.items).toEqual([]);
    expect((await t.call('GET', `/api/posts/${postId}`)).body.commentCount).toBe(0);
  });

  test('deletePost: author or delete scope; others 403', async () => {
    expect((await t.call('DELETE', `/api/posts/${postId}`, { token: bob })).status).toBe(403);
    expect((await t.call('DELETE', `/api/posts/${postId}`, { token: ana })).status).toBe(204);
    expect((await t.call('GET', `/api/posts/${postId}`)).status).toBe(404);
    const other = await t.call('POST', '/api/posts', { token: bob, body: { title: 'moderated' } });
    expect((await t.call('DELETE', `/api/posts/${other.body.id}`, { token: admin })).status).toBe(204);
  });

  test('deleteUser: scope delete; removes the account and its content', async () => {
    const p = await t.call('POST', '/api/posts', { token: bob, body: { title: 'by bob' } });
    await t.call('POST', `/api/posts/${p.body.id}/upvotes`, { token: ana });
    expect((await t.call('DELETE', '/api/users/bob', { token: ana })).status).toBe(403);
    expect((await t.call('DELETE', '/api/users/bob', { token: admin })).status).toBe(204);
    expect((await t.call('DELETE', '/api/users/bob', { token: admin })).status).toBe(404);
    expect((await t.call('GET', `/api/posts/${p.body.id}`)).status).toBe(404);
    // bob's token stops working at once.
    expect((await t.call('GET', '/api/me', { token: bob })).status).toBe(401);
  });

  test('logout: the token stops working; no token 401', async () => {
    const token = await t.login('ana', 'ana-password');
    expect((await t.call('DELETE', '/api/authenticate', { token })).status).toBe(204);
    expect((await t.call('GET', '/api/me', { token })).status).toBe(401);
    expect((await t.call('DELETE', '/api/authenticate')).status).toBe(401);
    expect((await t.call('GET', '/api/me', { token: ana })).status).toBe(200);
  });

  test('changePassword: a new session, older tokens end; wrong password 403', async () => {
    await t.signUp('dana');
    const token = await t.login('dana', 'dana-password');
    const wrong = await t.call('PUT', '/api/me/password', { token, body: { oldPassword: 'nope-nope', newPassword: 'dana-password-2' } });
    expect(wrong.status).toBe(403);
    const changed = await t.call('PUT', '/api/me/password', {
      token,
      body: { oldPassword: 'dana-password', newPassword: 'dana-password-2' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.user).toMatchObject({ login: 'dana' });
    expect((await t.call('GET', '/api/me', { token })).status).toBe(401);
    expect((await t.call('GET', '/api/me', { token: changed.body.token })).status).toBe(200);
  });

  test('endSessions: scope admin; every token of the account ends; unknown account 404', async () => {
    await t.signUp('erin');
    const token = await t.login('erin', 'erin-password');
    expect((await t.call('DELETE', '/api/users/erin/sessions', { token: ana })).status).toBe(403);
    expect((await t.call('DELETE', '/api/users/nobody/sessions', { token: admin })).status).toBe(404);
    expect((await t.call('DELETE', '/api/users/erin/sessions', { token: admin })).status).toBe(204);
    expect((await t.call('GET', '/api/me', { token })).status).toBe(401);
  });

  test("commentOnPage and getPageDiscussion: the page's own origin starts it; another 403", async () => {
    const page = `${t.url}/blog/post-1.html`;
    expect((await t.call('GET', `/api/pages?url=${encodeURIComponent(page)}`)).status).toBe(404);
    const created = await t.call('PUT', '/api/pages/comments', { token: ana, body: { url: page, text: 'hi' }, headers: { origin: t.url } });
    expect(created.status).toBe(201);
    const found = await t.call('GET', `/api/pages?url=${encodeURIComponent(page)}`);
    expect(found.body).toMatchObject({ id: created.body.post.id, pageUrl: page });
    const elsewhere = await t.call('PUT', '/api/pages/comments', {
      token: ana,
      body: { url: 'https://elsewhere.example/a', text: 'hi' },
      headers: { origin: t.url },
    });
    expect(elsewhere.status).toBe(403);
  });

  test('notifications: a reply is listed for the author it answers, who marks it read', async () => {
    const fay = await t.signUp('fay');
    const gus = await t.signUp('gus');
    const post = (await t.call('POST', '/api/posts', { token: fay, body: { title: 'ask fay' } })).body;
    const reply = (await t.call('PUT', `/api/comments/${post.id}`, { token: gus, body: { text: 'an answer' } })).body;
    const listed = await t.call('GET', '/api/me/notifications?unread=true&limit=5', { token: fay });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ items: [{ commentId: reply.id, postId: post.id, actor: 'gus', readAt: null }], unread: 1 });
    const read = await t.call('POST', '/api/me/notifications/read', { token: fay, body: { ids: [listed.body.items[0].id] } });
    expect(read.body).toEqual({ marked: 1, unread: 0 });
  });

  test('moderation: every operation answers its success and its main failure', async () => {
    const mod = await t.signUp('moddy');
    const post = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'to moderate' } })).body;
    const comment = (await t.call('PUT', `/api/comments/${post.id}`, { token: ana, body: { text: 'hm' } })).body;
    const p = `/api/posts/${post.id}`;
    const c = `/api/comments/${post.id}/${comment.id}`;
    const calls: [string, string, string, unknown, number][] = [
      ['PUT', `${p}/edit`, ana, { title: 'edited' }, 200],
      ['PUT', `${p}/edit`, mod, { title: 'not mine' }, 403],
      ['PUT', `${c}/edit`, ana, { text: 'edited' }, 200],
      ['PUT', `${c}/edit`, mod, { text: 'not mine' }, 403],
      ['POST', `${p}/flags`, mod, { reason: 'spam' }, 204],
      ['POST', `${p}/flags`, mod, { reason: 'nope' }, 422],
      ['POST', `${c}/flags`, mod, { reason: 'other' }, 204],
      ['POST', `${c}/flags`, mod, {}, 422],
      ['POST', `${p}/hide`, mod, {}, 403],
      ['POST', `${p}/hide`, admin, { reason: 'why' }, 200],
      ['POST', `${p}/restore`, mod, {}, 403],
      ['POST', `${p}/restore`, admin, {}, 200],
      ['POST', `${c}/hide`, mod, {}, 403],
      ['POST', `${c}/hide`, admin, {}, 200],
      ['POST', `${c}/restore`, mod, {}, 403],
      ['POST', `${c}/restore`, admin, {}, 200],
      ['POST', `${p}/lock`, mod, {}, 403],
      ['POST', `${p}/lock`, admin, {}, 200],
      ['POST', `${p}/unlock`, mod, {}, 403],
      ['POST', `${p}/unlock`, admin, {}, 200],
      ['PUT', '/api/users/moddy/ban', ana, { until: null }, 403],
      ['PUT', '/api/users/moddy/ban', admin, { until: null }, 200],
      ['DELETE', '/api/users/moddy/ban', ana, {}, 403],
      ['DELETE', '/api/users/moddy/ban', admin, {}, 200],
      ['PUT', '/api/users/moddy/scopes', ana, { scopes: ['delete'] }, 403],
      ['PUT', '/api/users/moddy/scopes', admin, { scopes: ['delete'] }, 200],
      ['GET', '/api/moderation/queue', ana, undefined, 403],
      ['GET', '/api/moderation/queue', admin, undefined, 200],
      ['GET', '/api/moderation/log', ana, undefined, 403],
      ['GET', '/api/moderation/log', admin, undefined, 200],
    ];
    for (const [method, path, token, body, status] of calls)
      expect(`${method} ${path} ${(await t.call(method, path, { token, body })).status}`).toBe(`${method} ${path} ${status}`);
  });

  test('unknown /api route is a 404 problem', async () => {
    const r = await t.call('GET', '/api/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body.type).toBe('urn:news-forum:problem:not-found');
  });

  test('every operation of openapi.yaml was called', () => {
    expect([...calledOperations].sort()).toEqual(operations.map((o) => o.operationId).sort());
  });
});

describe('site', () => {
  test('serves the contract, the docs, health and readiness', async () => {
    const yaml = await fetch(`${t.url}/openapi.yaml`);
    expect(await yaml.text()).toContain('openapi: 3.1.0');
    const json = (await (await fetch(`${t.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(json.paths['/posts']).toBeDefined();
    const docs = await fetch(`${t.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
    expect(await (await fetch(`${t.url}/docs/swagger-initializer.js`)).text()).toContain('/openapi.json');
    expect(await (await fetch(`${t.url}/healthz`)).json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { store: 'ok' }, details: { limits: 'per-node' } });
  });

  test('probes of /readyz that arrive while its checks run share them: a flood costs the store one ping at a time', async () => {
    const { store } = t.server.services;
    const ping = store.ping.bind(store);
    let pings = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let arrived = 0;
    const count = () => arrived++;
    t.server.http.on('request', count);
    store.ping = async () => {
      pings++;
      await gate;
      return ping();
    };
    try {
      const answers = Array.from({ length: 20 }, () => fetch(`${t.url}/readyz`));
      await eventually(() => arrived >= 20, 10_000, 'every probe to arrive');
      open();
      expect((await Promise.all(answers)).map((answer) => answer.status)).toEqual(Array(20).fill(200));
      expect(pings).toBe(1);
    } finally {
      store.ping = ping;
      t.server.http.off('request', count);
    }
  });

  test('security headers are set and x-powered-by is not', async () => {
    const r = await fetch(`${t.url}/api`);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(r.headers.get('x-powered-by')).toBeNull();
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
