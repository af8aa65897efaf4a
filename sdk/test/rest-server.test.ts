import { beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, type NewsForumClient, type Post } from '../src/index.js';
import { ADMIN, useForumServer } from './support/forum-server.js';
import { waitFor } from './support/wait.js';

const forum = useForumServer();
let anon: NewsForumClient;
let ana: NewsForumClient;
let admin: NewsForumClient;
beforeAll(() => {
  [anon, ana, admin] = [forum.client(), forum.client(), forum.client()];
});

/** Narrows a result to its data, failing the test with the error otherwise. */
function ok<T>(result: { data: T; error: undefined } | { data: undefined; error: Error }): T {
  if (result.error) throw result.error;
  return result.data as T;
}

describe('REST through the SDK against the real server', () => {
  let post: Post;

  it('tells which node answered', async () => {
    const info = ok(await anon.info());
    expect(info).toEqual({
      name: 'news-forum',
      version: expect.any(String),
      instance: expect.any(String),
      editWindowSeconds: expect.any(Number),
      flagThreshold: expect.any(Number),
      flagMinAccountAgeSeconds: expect.any(Number),
    });
  });

  it('creates an account, logs in, and knows who it is', async () => {
    const user = ok(await ana.users.create('ana', { password: 'correct horse battery', displayName: 'Ana' }));
    expect(user).toMatchObject({ login: 'ana', displayName: 'Ana' });
    const session = ok(await ana.login('ana', 'correct horse battery'));
    expect(ana.token).toBe(session.token);
    expect(ok(await ana.me()).login).toBe('ana');
  });

  it('answers typed errors: 409 taken, 401 bad login, 401 without token, 403 without scope', async () => {
    const taken = await anon.users.create('ana', { password: 'another password' });
    expect(taken.error).toBeInstanceOf(ApiError);
    expect(taken.error?.status).toBe(409);
    expect(taken.error?.problem?.type).toBe('urn:news-forum:problem:conflict');

    const bad = await forum.client().login('ana', 'wrong password');
    expect(bad.error?.status).toBe(401);
    expect(bad.error?.problem?.type).toBe('urn:news-forum:problem:unauthorized');

    expect((await anon.me()).error?.status).toBe(401);
    expect((await ana.users.list()).error?.status).toBe(403);
  });

  it('rejects invalid input with 422 and field pointers', async () => {
    const { error } = await ana.posts.create({ title: 'x', url: 'ftp://nope' });
    expect(error?.status).toBe(422);
    expect(error?.problem?.errors?.length).toBeGreaterThan(0);
  });

  it('creates, reads, lists and votes on a post', async () => {
    post = ok(await ana.posts.create({ title: 'Changefeeds in practice', url: 'https://example.com/cf' }));
    expect(post).toMatchObject({ title: 'Changefeeds in practice', author: 'ana', score: 0, version: 1, myVote: 0 });
    const { myVote, ...seenByAll } = post;
    expect(ok(await anon.posts.get(post.id))).toEqual(seenByAll);
    // Another reader's front page holds it once the change feed has brought it (at once for its author only).
    const listed = async () => ok(await anon.posts.list({ sort: 'new', limit: 10 })).items.map((p) => p.id);
    await waitFor('the post on the front page', async () => (await listed()).includes(post.id));
    expect((await listed())[0]).toBe(post.id);

    const up = ok(await ana.posts.upvote(post.id));
    expect(up).toMatchObject({ upvotes: 1, score: 1, myVote: 1 });
    expect(ok(await ana.posts.upvote(post.id)).upvotes).toBe(1);
    expect(ok(await ana.posts.downvote(post.id))).toMatchObject({ upvotes: 0, downvotes: 1, score: -1 });
    expect(ok(await ana.posts.retract(post.id))).toMatchObject({ upvotes: 0, downvotes: 0, myVote: 0 });
    expect((await anon.posts.upvote(post.id)).error?.status).toBe(401);
    expect((await ana.posts.get('00000000-0000-4000-8000-000000000000')).error?.status).toBe(404);
  });

  it('returns the first result when a creation is repeated with its Idempotency-Key', async () => {
    const first = ok(await ana.posts.create({ title: 'Once' }, { idempotencyKey: 'key-once-123' }));
    const again = ok(await ana.posts.create({ title: 'Once' }, { idempotencyKey: 'key-once-123' }));
    expect(again.id).toBe(first.id);
    const clash = await ana.posts.create({ title: 'Something else' }, { idempotencyKey: 'key-once-123' });
    expect(clash.error?.status).toBe(409);
  });

  it('comments, lists comments oldest first, walks them all, and deletes', async () => {
    const a = ok(await ana.comments.create(post.id, { text: 'first' }));
    const b = ok(await ana.comments.create(post.id, { text: 'reply', parentId: a.id }));
    expect(b.parentId).toBe(a.id);
    const page = ok(await anon.comments.list(post.id, { limit: 1 }));
    expect(page.items.map((c) => c.id)).toEqual([a.id]);
    const all = [];
    for await (const comment of anon.comments.all(post.id, { limit: 1 })) all.push(comment.id);
    expect(all).toEqual([a.id, b.id]);
    expect((await anon.comments.delete(post.id, b.id)).error?.status).toBe(401);
    expect(ok(await ana.comments.delete(post.id, b.id))).toBeNull();
    expect((await anon.comments.list('00000000-0000-4000-8000-000000000000')).error?.status).toBe(404);
  });

  it('lets an admin list, read and delete accounts', async () => {
    ok(await admin.login(ADMIN.login, ADMIN.password));
    ok(await anon.users.create('bob', { password: 'bob-password-1' }));
    const logins = [];
    for await (const user of admin.users.all({ limit: 1 })) logins.push(user.login);
    expect(logins).toEqual(['admin', 'ana', 'bob']);
    expect(ok(await admin.users.get('bob')).login).toBe('bob');
    expect(ok(await admin.users.delete('bob'))).toBeNull();
    expect((await admin.users.get('bob')).error?.status).toBe(404);
  });

  it('deletes a post (author only)', async () => {
    ok(await anon.users.create('eve', { password: 'eve-password-1' }));
    const eve = forum.client();
    ok(await eve.login('eve', 'eve-password-1'));
    expect((await eve.posts.delete(post.id)).error?.status).toBe(403);
    expect(ok(await ana.posts.delete(post.id))).toBeNull();
    expect((await anon.posts.get(post.id)).error?.status).toBe(404);
    const token = eve.token;
    const signedOut = eve.logout();
    expect(eve.token).toBeUndefined();
    expect(ok((await signedOut)!)).toBeNull();
    // The token is revoked on the server, not just forgotten here.
    const stale = forum.client({ token });
    expect((await stale.me()).error?.status).toBe(401);
    expect(await eve.logout()).toBeUndefined();
  });

  it('changes the password: the old token and password stop working, the client keeps the new session', async () => {
    ok(await anon.users.create('pat', { password: 'pat-password-1' }));
    const pat = forum.client();
    const other = forum.client();
    ok(await pat.login('pat', 'pat-password-1'));
    ok(await other.login('pat', 'pat-password-1'));
    const before = pat.token;

    const wrong = await pat.changePassword('not-the-password', 'pat-password-2');
    expect(wrong.error?.status).toBe(403);
    expect(pat.token).toBe(before);
    const weak = await pat.changePassword('pat-password-1', 'short');
    expect(weak.error?.status).toBe(422);

    const session = ok(await pat.changePassword('pat-password-1', 'pat-password-2'));
    expect(pat.token).toBe(session.token);
    expect(pat.token).not.toBe(before);
    expect(ok(await pat.me()).login).toBe('pat');
    expect((await other.me()).error?.status).toBe(401);
    expect((await anon.login('pat', 'pat-password-1')).error?.status).toBe(401);
    expect(ok(await forum.client().login('pat', 'pat-password-2')).user.login).toBe('pat');
  });

  it('a password change whose answer is lost: signing in with the new password tells whether it was made', async () => {
    ok(await anon.users.create('lou', { password: 'lou-password-1' }));
    // The server takes the change; its answer never reaches the client.
    const losing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input instanceof Request ? input.url : input).endsWith('/api/me/password')) {
        await response.arrayBuffer();
        throw new TypeError('fetch failed');
      }
      return response;
    };
    const lou = forum.client({ fetch: losing });
    ok(await lou.login('lou', 'lou-password-1'));
    const before = lou.token;
    expect((await lou.changePassword('lou-password-1', 'lou-password-2')).error?.code).toBe('network_error');
    // The token held is revoked now; signing in does not send it, so it is not refused for it.
    expect((await lou.me()).error?.status).toBe(401);
    const session = ok(await lou.login('lou', 'lou-password-2'));
    expect(lou.token).toBe(session.token);
    expect(lou.token).not.toBe(before);
    expect(ok(await lou.me()).login).toBe('lou');
  });
});
