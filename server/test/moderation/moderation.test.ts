import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { SubscribeAck } from '@news-forum/protocol';
import { connectSocket, eventually, record, subscribe, type TestSocket } from '../support/live-client.js';
import { ADMIN, startTestServer, type TestServer } from '../support/server.js';

// Short enough that a test can wait it out; long enough for an edit right after creating.
const EDIT_WINDOW_S = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let t: TestServer;
let admin: string;
let mod: string;
let ana: string;
let bob: string;
let carol: string;
let dora: string;
const sockets: TestSocket[] = [];

async function newPost(token: string, title = 'a post'): Promise<any> {
  const created = await t.call('POST', '/api/posts', { token, body: { title, text: 'body' } });
  expect(created.status).toBe(201);
  return created.body;
}

async function newComment(token: string, postId: string, text = 'a comment', parentId?: string): Promise<any> {
  const created = await t.call('PUT', `/api/comments/${postId}`, { token, body: { text, ...(parentId && { parentId }) } });
  expect(created.status).toBe(201);
  return created.body;
}

async function logActions(): Promise<string[]> {
  const log = await t.call('GET', '/api/moderation/log?limit=100', { token: admin });
  expect(log.status).toBe(200);
  return log.body.items.map((entry: any) => `${entry.action} ${entry.targetId}`);
}

beforeAll(async () => {
  t = await startTestServer({ env: { EDIT_WINDOW: `${EDIT_WINDOW_S}s` } });
  admin = await t.login(ADMIN.login, ADMIN.password);
  [ana, bob, carol, dora] = (await Promise.all(['ana', 'bob', 'carol', 'dora'].map((login) => t.signUp(login)))) as [
    string,
    string,
    string,
    string,
  ];
  await t.signUp('mod');
  expect((await t.call('PUT', '/api/users/mod/scopes', { token: admin, body: { scopes: ['read', 'delete'] } })).status).toBe(200);
  mod = await t.login('mod', 'mod-password');
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await t?.cleanup();
});

test('GET /api tells the edit window and the flag threshold', async () => {
  const info = await t.call('GET', '/api');
  expect(info.body).toMatchObject({ editWindowSeconds: EDIT_WINDOW_S, flagThreshold: 3 });
});

describe('editing', () => {
  test('the author edits a post within the window; live readers see the edit once, with a higher version', async () => {
    const socket = await connectSocket(t.url);
    sockets.push(socket);
    await subscribe(socket, { topic: 'posts' });
    const changes = record(socket, 'poststream');
    const post = await newPost(ana, 'tpyo');
    const edited = await t.call('PUT', `/api/posts/${post.id}/edit`, { token: ana, body: { title: 'typo', url: 'https://example.com/' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ title: 'typo', url: 'https://example.com/', text: 'body', editedAt: expect.any(String) });
    expect(edited.body.version).toBeGreaterThan(post.version);
    await eventually(() => changes.some((c) => c.new_val?.id === post.id && c.new_val.title === 'typo'));
    await sleep(300);
    const edits = changes.filter((c) => c.new_val?.id === post.id && c.new_val.editedAt !== undefined);
    expect(edits).toHaveLength(1);
    expect(edits[0]?.new_val?.version).toBe(edited.body.version);
    expect((await t.call('GET', `/api/posts/${post.id}`)).body.title).toBe('typo');
  });

  test('someone else may not edit; a moderator may, and the log says so', async () => {
    const post = await newPost(ana);
    const other = await t.call('PUT', `/api/posts/${post.id}/edit`, { token: bob, body: { title: 'mine now' } });
    expect(other.status).toBe(403);
    const byMod = await t.call('PUT', `/api/posts/${post.id}/edit`, { token: mod, body: { text: null } });
    expect(byMod.status).toBe(200);
    expect(byMod.body.text).toBeNull();
    expect(await logActions()).toContain(`edit ${post.id}`);
  });

  test('the author edits a comment; outside the window the author gets 422, a moderator still edits', async () => {
    const post = await newPost(ana);
    const comment = await newComment(bob, post.id, 'frist');
    const edited = await t.call('PUT', `/api/comments/${post.id}/${comment.id}/edit`, { token: bob, body: { text: 'first' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ text: 'first', editedAt: expect.any(String), version: comment.version + 1 });
    expect((await t.call('PUT', `/api/comments/${post.id}/${comment.id}/edit`, { token: ana, body: { text: 'x' } })).status).toBe(403);

    await sleep(EDIT_WINDOW_S * 1000 + 200);
    const late = await t.call('PUT', `/api/posts/${post.id}/edit`, { token: ana, body: { title: 'too late' } });
    expect(late.status).toBe(422);
    expect(late.body.type).toBe('urn:news-forum:problem:edit-window-closed');
    const lateComment = await t.call('PUT', `/api/comments/${post.id}/${comment.id}/edit`, { token: bob, body: { text: 'late' } });
    expect(lateComment.status).toBe(422);
    expect((await t.call('GET', `/api/posts/${post.id}`)).body.title).toBe('a post');
    expect((await t.call('PUT', `/api/posts/${post.id}/edit`, { token: mod, body: { title: 'fixed' } })).status).toBe(200);
  });

  test("a moderator's edit of a reply reaches its notification: the recipient no longer reads what was taken out", async () => {
    const post = await newPost(carol);
    const reply = await newComment(dora, post.id, 'carol lives at 12 Secret Street');
    const redacted = await t.call('PUT', `/api/comments/${post.id}/${reply.id}/edit`, { token: mod, body: { text: '[address removed]' } });
    expect(redacted.status).toBe(200);
    const listed = await t.call('GET', '/api/me/notifications', { token: carol });
    expect(listed.status).toBe(200);
    const notification = listed.body.items.find((n: any) => n.commentId === reply.id);
    expect(notification).toMatchObject({ excerpt: '[address removed]' });
    expect(JSON.stringify(listed.body)).not.toContain('Secret Street');
  });
});

describe('flags', () => {
  test('three readers hide a post from anonymous reads and the front page, not from moderators; twice by one counts once', async () => {
    const post = await newPost(dora, 'spam spam');
    for (const token of [ana, ana])
      expect((await t.call('POST', `/api/posts/${post.id}/flags`, { token, body: { reason: 'spam' } })).status).toBe(204);
    const once = await t.call('GET', `/api/posts/${post.id}`, { token: mod });
    expect(once.body.flagCount).toBe(1);
    expect((await t.call('GET', `/api/posts/${post.id}`, { token: ana })).body.flagCount).toBeUndefined();
    await t.call('POST', `/api/posts/${post.id}/flags`, { token: bob, body: { reason: 'abuse' } });
    expect((await t.call('GET', `/api/posts/${post.id}`)).status).toBe(200);
    await t.call('POST', `/api/posts/${post.id}/flags`, { token: carol, body: { reason: 'off-topic' } });

    expect((await t.call('GET', `/api/posts/${post.id}`)).status).toBe(404);
    await eventually(async () => !(await t.call('GET', '/api/posts?sort=new')).body.items.some((p: any) => p.id === post.id));
    expect((await t.call('GET', '/api/posts?sort=new', { token: ana })).body.items.some((p: any) => p.id === post.id)).toBe(false);
    const seen = (await t.call('GET', '/api/posts?sort=new', { token: mod })).body.items.find((p: any) => p.id === post.id);
    expect(seen).toMatchObject({ hidden: true, hiddenBy: 'flags', flagCount: 3 });
    const queue = await t.call('GET', '/api/moderation/queue', { token: mod });
    expect(queue.body.items.some((item: any) => item.post?.id === post.id)).toBe(true);
  });

  test('an account younger than FLAG_MIN_ACCOUNT_AGE gets 403 and flags nothing; moderators flag at once; old enough, it flags', async () => {
    const young = await startTestServer({ env: { FLAG_MIN_ACCOUNT_AGE: '2s' } });
    try {
      expect((await young.call('GET', '/api')).body).toMatchObject({ flagMinAccountAgeSeconds: 2 });
      const youngAdmin = await young.login(ADMIN.login, ADMIN.password);
      const created = await young.call('POST', '/api/posts', { token: youngAdmin, body: { title: 'flagged early' } });
      const [eve, fay] = [await young.signUp('eve'), await young.signUp('fay')];
      const comment = await young.call('PUT', `/api/comments/${created.body.id}`, { token: fay, body: { text: 'hm' } });
      const flags = [`/api/posts/${created.body.id}/flags`, `/api/comments/${created.body.id}/${comment.body.id}/flags`];
      for (const path of flags) {
        const refused = await young.call('POST', path, { token: eve, body: { reason: 'spam' } });
        expect(refused.status).toBe(403);
        expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(refused.body.detail).toMatch(/^An account flags once it is 2 seconds old: yours can from \d{4}-\d\d-\d\dT/);
      }
      // Moderators see flag counts; none is none.
      const flagCounts = async () => [
        (await young.call('GET', `/api/posts/${created.body.id}`, { token: youngAdmin })).body.flagCount ?? 0,
        (await young.call('GET', `/api/comments/${created.body.id}`, { token: youngAdmin })).body.items[0].flagCount ?? 0,
      ];
      expect(await flagCounts()).toEqual([0, 0]);
      // The admin, made a moment ago too, flags at once.
      expect((await young.call('POST', flags[1]!, { token: youngAdmin, body: { reason: 'spam' } })).status).toBe(204);
      expect(await flagCounts()).toEqual([0, 1]);
      await sleep(2_100);
      for (const path of flags) expect((await young.call('POST', path, { token: eve, body: { reason: 'spam' } })).status).toBe(204);
      expect(await flagCounts()).toEqual([1, 2]);
    } finally {
      await young.cleanup();
    }
  });

  test('a flagged comment shows as a placeholder without author, saying flags hid it; moderators see it whole', async () => {
    const post = await newPost(ana);
    const comment = await newComment(dora, post.id, 'buy now');
    const reply = await newComment(ana, post.id, 'no', comment.id);
    for (const token of [ana, bob, carol])
      await t.call('POST', `/api/comments/${post.id}/${comment.id}/flags`, { token, body: { reason: 'spam' } });
    await eventually(async () => (await t.call('GET', `/api/comments/${post.id}`)).body.items[0]?.hidden === true);
    const [placeholder, kept] = (await t.call('GET', `/api/comments/${post.id}`)).body.items;
    expect(placeholder).toEqual({
      id: comment.id,
      postId: post.id,
      parentId: null,
      text: 'hidden after flags, pending review',
      createdAt: comment.createdAt,
      version: expect.any(Number),
      hidden: true,
      hiddenBy: 'flags',
    });
    expect(kept).toMatchObject({ id: reply.id, parentId: comment.id });
    const whole = (await t.call('GET', `/api/comments/${post.id}`, { token: mod })).body.items[0];
    expect(whole).toMatchObject({ text: 'buy now', author: 'dora', hidden: true, hiddenBy: 'flags', flagCount: 3 });

    // Hidden, it is its author's no more to edit (a hidden post's author gets 404); a moderator still may.
    const edit = await t.call('PUT', `/api/comments/${post.id}/${comment.id}/edit`, { token: dora, body: { text: 'buy now, cheaper' } });
    expect(edit.status).toBe(403);
    expect(edit.body.type).toBe('urn:news-forum:problem:forbidden');
    expect((await t.call('GET', `/api/comments/${post.id}`, { token: mod })).body.items[0]).toMatchObject({
      text: 'buy now',
      version: whole.version,
    });
    expect((await t.call('PUT', `/api/comments/${post.id}/${comment.id}/edit`, { token: mod, body: { text: 'spam' } })).status).toBe(200);
  });

  test("a moderator's hide of what flags hid is a decision: logged once, and readers are told a moderator removed it", async () => {
    const post = await newPost(ana);
    const comment = await newComment(dora, post.id, 'buy now');
    for (const token of [ana, bob, carol])
      await t.call('POST', `/api/comments/${post.id}/${comment.id}/flags`, { token, body: { reason: 'spam' } });
    const flagged = (await t.call('GET', `/api/comments/${post.id}`, { token: mod })).body.items[0];
    expect(flagged).toMatchObject({ hidden: true, hiddenBy: 'flags' });
    const newestEntry = async () => (await t.call('GET', '/api/moderation/log?limit=1', { token: admin })).body.items[0];
    const hide = () => t.call('POST', `/api/comments/${post.id}/${comment.id}/hide`, { token: mod, body: { reason: 'spam indeed' } });
    const confirmed = await hide();
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ hidden: true, hiddenBy: 'moderator', flagCount: 3, version: flagged.version + 1 });
    const entry = await newestEntry();
    expect(entry).toMatchObject({ action: 'hide', targetKind: 'comment', targetId: comment.id, reason: 'spam indeed' });
    await eventually(async () => (await t.call('GET', `/api/comments/${post.id}`)).body.items[0]?.hiddenBy === 'moderator');
    expect((await t.call('GET', `/api/comments/${post.id}`)).body.items[0]).toMatchObject({
      text: 'removed by a moderator',
      hidden: true,
      hiddenBy: 'moderator',
    });
    // Hidden by a moderator already: a second hide changes nothing.
    const again = await hide();
    expect(again.body).toEqual(confirmed.body);
    expect(await newestEntry()).toEqual(entry);
  });
});

describe('moderator actions', () => {
  test('a hidden post keeps its votes and comments and comes back intact', async () => {
    const post = await newPost(ana);
    await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: bob });
    await t.call('POST', `/api/posts/${post.id}/downvotes`, { token: carol });
    await newComment(bob, post.id);
    const before = (await t.call('GET', `/api/posts/${post.id}`)).body;
    const hidden = await t.call('POST', `/api/posts/${post.id}/hide`, { token: mod, body: { reason: 'checking' } });
    expect(hidden.status).toBe(200);
    expect(hidden.body.hidden).toBe(true);
    expect((await t.call('GET', `/api/posts/${post.id}`, { token: bob })).status).toBe(404);
    await eventually(async () => (await t.call('GET', `/api/comments/${post.id}`)).status === 404);
    expect((await t.call('GET', `/api/comments/${post.id}`, { token: bob })).status).toBe(404);
    expect((await t.call('GET', `/api/comments/${post.id}`, { token: mod })).body.items).toHaveLength(1);
    expect((await t.call('POST', `/api/posts/${post.id}/hide`, { token: bob, body: {} })).status).toBe(403);
    const restored = await t.call('POST', `/api/posts/${post.id}/restore`, { token: mod, body: {} });
    expect(restored.status).toBe(200);
    expect(restored.body.hidden).toBeUndefined();
    const after = (await t.call('GET', `/api/posts/${post.id}`)).body;
    expect(after).toMatchObject({ upvotes: 1, downvotes: 1, commentCount: 1, title: before.title });
    expect(after.version).toBeGreaterThan(before.version);
    expect((await t.call('GET', `/api/comments/${post.id}`)).body.items).toHaveLength(1);
    const actions = await logActions();
    expect(actions).toEqual(expect.arrayContaining([`hide ${post.id}`, `restore ${post.id}`]));
  });

  test('a hidden post takes no votes or comments, from anyone; restored it takes them again', async () => {
    const post = await newPost(ana, 'hidden from votes');
    await t.call('POST', `/api/posts/${post.id}/hide`, { token: mod, body: {} });
    const hidden = (await t.call('GET', `/api/posts/${post.id}`, { token: mod })).body;
    for (const token of [bob, mod]) {
      for (const direction of ['upvotes', 'downvotes']) {
        const vote = await t.call('POST', `/api/posts/${post.id}/${direction}`, { token });
        expect([direction, vote.status, vote.body.type]).toEqual([direction, 404, 'urn:news-forum:problem:not-found']);
      }
      expect((await t.call('DELETE', `/api/posts/${post.id}/votes`, { token })).status).toBe(404);
      expect((await t.call('PUT', `/api/comments/${post.id}`, { token, body: { text: 'on a hidden post' } })).status).toBe(404);
    }
    // Nothing was written: not a vote, not a comment, not a version.
    expect((await t.call('GET', `/api/posts/${post.id}`, { token: mod })).body).toEqual(hidden);
    expect((await t.call('GET', `/api/comments/${post.id}`, { token: mod })).body.items).toEqual([]);
    await t.call('POST', `/api/posts/${post.id}/restore`, { token: mod, body: {} });
    const vote = await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: bob });
    expect(vote.status).toBe(200);
    expect(vote.body).toMatchObject({ upvotes: 1, myVote: 1 });
  });

  test('a create retried with its Idempotency-Key shows the post or comment as the caller may see it now', async () => {
    const headers = { 'Idempotency-Key': 'retried-after-hiding' };
    const created = await t.call('POST', '/api/posts', { token: ana, body: { title: 'retried', text: 'body' }, headers });
    const comment = await t.call('PUT', `/api/comments/${created.body.id}`, { token: bob, body: { text: 'retried too' }, headers });
    await t.call('POST', `/api/posts/${created.body.id}/flags`, { token: carol, body: { reason: 'spam' } });
    await t.call('POST', `/api/comments/${created.body.id}/${comment.body.id}/hide`, { token: mod, body: {} });
    const commentAgain = await t.call('PUT', `/api/comments/${created.body.id}`, { token: bob, body: { text: 'retried too' }, headers });
    expect(commentAgain.status).toBe(201);
    expect(commentAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(commentAgain.body).toMatchObject({ id: comment.body.id, hidden: true, text: 'removed by a moderator' });
    expect(commentAgain.body).not.toHaveProperty('author');
    await t.call('POST', `/api/posts/${created.body.id}/hide`, { token: mod, body: {} });
    const postAgain = await t.call('POST', '/api/posts', { token: ana, body: { title: 'retried', text: 'body' }, headers });
    expect(postAgain.status).toBe(404);
    expect((await t.call('GET', `/api/posts/${created.body.id}`, { token: ana })).status).toBe(404);
  });

  test('live: readers see a hidden post leave and come back; moderators see it marked, with its flags', async () => {
    const reader = await connectSocket(t.url);
    const moderator = await connectSocket(t.url, { token: mod });
    sockets.push(reader, moderator);
    await Promise.all([subscribe(reader, { topic: 'posts' }), subscribe(moderator, { topic: 'posts' })]);
    const seen = record(reader, 'poststream');
    const seenByMod = record(moderator, 'poststream');
    const mine = (changes: typeof seen) => changes.filter((c) => (c.new_val ?? c.old_val)?.id === post?.id);
    // Changes of one post close together are coalesced (latest wins): each step waits for its own.
    const post = await newPost(ana, 'watched');
    await eventually(() => mine(seen).some((c) => c.new_val?.version === 1));
    await t.call('POST', `/api/posts/${post.id}/flags`, { token: bob, body: { reason: 'other' } });
    await eventually(() => mine(seenByMod).some((c) => c.new_val?.flagCount === 1));
    await eventually(() => mine(seen).some((c) => c.new_val?.version === 2));
    await t.call('POST', `/api/posts/${post.id}/hide`, { token: mod, body: {} });
    await eventually(() => mine(seenByMod).some((c) => c.new_val?.hidden === true));
    await eventually(() => mine(seen).some((c) => c.new_val === null));
    await t.call('POST', `/api/posts/${post.id}/restore`, { token: mod, body: {} });
    await eventually(() => mine(seen).some((c) => c.old_val === null && c.new_val?.version === 4));
    // Created, flagged (no flag count for readers), hidden (a deletion), restored (an insertion).
    expect(mine(seen).map((c) => [c.old_val?.version ?? null, c.new_val?.version ?? null])).toEqual([
      [null, 1],
      [1, 2],
      [2, null],
      [null, 4],
    ]);
    expect(mine(seen).some((c) => c.new_val?.flagCount !== undefined || c.new_val?.hidden)).toBe(false);
    expect(mine(seenByMod).find((c) => c.new_val?.hidden)?.new_val).toMatchObject({ version: 3, flagCount: 1 });
  });

  test("hiding a post ends readers' subscriptions to its comments, not moderators'; its replies' notifications lose their text", async () => {
    const post = await newPost(ana, 'soon hidden');
    const reply = await newComment(bob, post.id, 'a reply with words');
    const reader = await connectSocket(t.url);
    const moderator = await connectSocket(t.url, { token: mod });
    sockets.push(reader, moderator);
    const topic = { topic: 'comments' as const, postId: post.id };
    await Promise.all([subscribe(reader, topic), subscribe(moderator, topic)]);
    const resyncs: unknown[] = [];
    reader.on('resync', (asked) => resyncs.push(asked));
    const seen = record(reader, 'commentstream');
    const seenByMod = record(moderator, 'commentstream');

    await t.call('POST', `/api/posts/${post.id}/hide`, { token: mod, body: {} });
    await eventually(() => resyncs.length === 1, 10_000, 'the reader told to resync');
    expect(resyncs).toEqual([topic]);
    // The resubscription the resync asks for finds no post.
    const again = await subscribe(reader, topic);
    expect(again).toMatchObject({ ok: false, error: { status: 404 } });
    // A later change of the thread reaches the moderator only.
    const edited = await t.call('PUT', `/api/comments/${post.id}/${reply.id}/edit`, { token: mod, body: { text: 'edited while hidden' } });
    expect(edited.status).toBe(200);
    await eventually(() => seenByMod.some((c) => c.new_val?.text === 'edited while hidden'));
    // Messages to one socket keep their order: whatever was sent to the reader before this ack has arrived.
    await subscribe(reader, { topic: 'posts' });
    expect(seen).toEqual([]);

    const listed = await t.call('GET', '/api/me/notifications', { token: ana });
    expect(listed.body.items.find((n: any) => n.commentId === reply.id)).toMatchObject({
      excerpt: 'removed by a moderator',
      actor: 'bob',
    });
    await t.call('POST', `/api/posts/${post.id}/restore`, { token: mod, body: {} });
    const restored = await t.call('GET', '/api/me/notifications', { token: ana });
    // The excerpt is the reply's text as it is now: the moderator's edit while hidden reached it.
    expect(restored.body.items.find((n: any) => n.commentId === reply.id).excerpt).toBe('edited while hidden');
  });

  test('a locked thread refuses new comments with 409 thread-locked; unlocked it takes them again', async () => {
    const post = await newPost(ana);
    expect((await t.call('POST', `/api/posts/${post.id}/lock`, { token: mod, body: { reason: 'heated' } })).body.locked).toBe(true);
    const refused = await t.call('PUT', `/api/comments/${post.id}`, { token: bob, body: { text: 'hello?' } });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('urn:news-forum:problem:thread-locked');
    expect((await t.call('GET', `/api/comments/${post.id}`)).body.items).toHaveLength(0);
    expect((await t.call('POST', `/api/posts/${post.id}/unlock`, { token: mod, body: {} })).body.locked).toBeUndefined();
    await newComment(bob, post.id);
    expect(await logActions()).toEqual(expect.arrayContaining([`lock ${post.id}`, `unlock ${post.id}`]));
  });

  test('hiding what is hidden, restoring what has nothing to restore, locking what is locked: answered as it is, logged once', async () => {
    const post = await newPost(ana, 'clicked twice');
    const comment = await newComment(bob, post.id);
    const twice = async (path: string, field: 'hidden' | 'locked', value: boolean | undefined) => {
      const first = await t.call('POST', path, { token: mod, body: { reason: 'once' } });
      const again = await t.call('POST', path, { token: mod, body: { reason: 'again' } });
      expect([first.status, again.status]).toEqual([200, 200]);
      expect([first.body[field], again.body[field]]).toEqual([value, value]);
      // Nothing changed the second time: the same version, so no live change either.
      expect(again.body.version).toBe(first.body.version);
    };
    // Visible and unflagged: nothing to restore.
    const before = await t.call('GET', `/api/posts/${post.id}`, { token: mod });
    const restored = await t.call('POST', `/api/posts/${post.id}/restore`, { token: mod, body: {} });
    expect([restored.status, restored.body.version]).toEqual([200, before.body.version]);
    expect(await logActions()).not.toContain(`restore ${post.id}`);
    await twice(`/api/posts/${post.id}/hide`, 'hidden', true);
    await twice(`/api/posts/${post.id}/restore`, 'hidden', undefined);
    await twice(`/api/posts/${post.id}/lock`, 'locked', true);
    await twice(`/api/posts/${post.id}/unlock`, 'locked', undefined);
    await twice(`/api/comments/${post.id}/${comment.id}/hide`, 'hidden', true);
    await twice(`/api/comments/${post.id}/${comment.id}/restore`, 'hidden', undefined);
    const actions = await logActions();
    for (const action of [`hide ${post.id}`, `restore ${post.id}`, `lock ${post.id}`, `unlock ${post.id}`, `hide ${comment.id}`]) {
      expect({ action, times: actions.filter((a) => a === action).length }).toEqual({ action, times: 1 });
    }
    expect(actions.filter((a) => a === `restore ${comment.id}`)).toHaveLength(1);
  });

  test('a ban refuses writes with 403 naming its end, and ends by itself', async () => {
    const past = await t.call('PUT', '/api/users/carol/ban', { token: mod, body: { until: '2000-01-01T00:00:00Z' } });
    expect([past.status, past.body.errors]).toEqual([
      422,
      [{ pointer: '/body/until', detail: 'must be in the future and at most 100 years ahead' }],
    ]);
    const until = new Date(Date.now() + 2500).toISOString();
    const ban = await t.call('PUT', '/api/users/carol/ban', { token: mod, body: { until, reason: 'cool off' } });
    expect(ban.status).toBe(200);
    expect(ban.body).toEqual({ login: 'carol', until, reason: 'cool off' });
    const refused = await t.call('POST', '/api/posts', { token: carol, body: { title: 'let me' } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ type: 'urn:news-forum:problem:account-banned', bannedUntil: until });
    expect((await t.call('GET', '/api/posts?sort=new', { token: carol })).status).toBe(200);
    await sleep(Date.parse(until) - Date.now() + 100);
    expect((await t.call('POST', '/api/posts', { token: carol, body: { title: 'back' } })).status).toBe(201);
  });

  test('taking the delete scope from a moderator ends its socket; the next one is a reader and gets no hidden posts', async () => {
    await t.signUp('demoted');
    expect((await t.call('PUT', '/api/users/demoted/scopes', { token: admin, body: { scopes: ['read', 'delete'] } })).status).toBe(200);
    const token = await t.login('demoted', 'demoted-password');
    const post = await newPost(ana, 'hidden before the demotion');
    await t.call('POST', `/api/posts/${post.id}/hide`, { token: mod, body: {} });
    const before = await connectSocket(t.url, { token });
    sockets.push(before);
    const held = (ack: SubscribeAck) => (ack.ok && ack.topic === 'posts' ? ack.snapshot.map((item) => item.id) : undefined);
    expect(held(await subscribe(before, { topic: 'posts', sort: 'new' }))).toContain(post.id);
    const ended = new Promise<string>((resolve) => before.once('disconnect', resolve));
    expect((await t.call('PUT', '/api/users/demoted/scopes', { token: admin, body: { scopes: ['read'] } })).status).toBe(200);
    expect(await ended).toBe('io server disconnect');
    const after = await connectSocket(t.url, { token });
    sockets.push(after);
    const again = held(await subscribe(after, { topic: 'posts', sort: 'new' }));
    expect(again).toBeDefined();
    expect(again).not.toContain(post.id);
  });

  test('scopes taken away while sockets are still in their handshake leave none of them a moderator', async () => {
    await t.signUp('racing');
    const io = t.server.gateway.io;
    for (let round = 0; round < 10; round++) {
      expect((await t.call('PUT', '/api/users/racing/scopes', { token: admin, body: { scopes: ['read', 'delete'] } })).status).toBe(200);
      const token = await t.login('racing', 'racing-password');
      const connecting: Promise<TestSocket | null>[] = [];
      for (let i = 0; i < 20; i++) {
        connecting.push(connectSocket(t.url, { token }).catch(() => null));
        await sleep(0);
      }
      await sleep(round % 5);
      const demoted = t.call('PUT', '/api/users/racing/scopes', { token: admin, body: { scopes: ['read'] } });
      const opened = await Promise.all(connecting);
      expect((await demoted).status).toBe(200);
      sockets.push(...opened.flatMap((socket) => socket ?? []));
      // The second read of a socket seated before the change is one lookup away.
      await eventually(
        () => opened.every((socket) => !socket || !io.of('/').sockets.get(socket.id ?? '')?.data.moderator),
        5_000,
        `round ${round}: no socket of the demoted account left a moderator`,
      );
    }
  });

  test('a ban for good says null until lifted; moderators cannot ban admins', async () => {
    const post = await newPost(ana);
    expect((await t.call('PUT', '/api/users/dora/ban', { token: mod, body: { until: null } })).status).toBe(200);
    const refused = await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: dora });
    expect(refused.status).toBe(403);
    expect(refused.body.bannedUntil).toBeNull();
    expect((await t.call('DELETE', '/api/users/dora/ban', { token: mod, body: { reason: 'appeal' } })).status).toBe(200);
    expect((await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: dora })).status).toBe(200);
    expect((await t.call('PUT', '/api/users/admin/ban', { token: mod, body: { until: null } })).status).toBe(403);
    expect(await logActions()).toEqual(expect.arrayContaining(['ban dora', 'lift-ban dora']));
  });
});

describe('a banned moderator', () => {
  test('moderates nothing while the ban holds, not even its own ban, and may still delete its own things', async () => {
    await t.signUp('mod2');
    expect((await t.call('PUT', '/api/users/mod2/scopes', { token: admin, body: { scopes: ['read', 'delete'] } })).status).toBe(200);
    const mod2 = await t.login('mod2', 'mod2-password');
    const own = await newPost(mod2, "mod2's own");
    const anas = await newPost(ana, 'by ana');
    const comment = await newComment(ana, anas.id);
    const hidden = await newPost(ana, 'hidden by mod');
    const hiddenComment = await newComment(ana, anas.id, 'a hidden comment');
    expect((await t.call('POST', `/api/posts/${hidden.id}/hide`, { token: mod, body: {} })).status).toBe(200);
    expect((await t.call('POST', `/api/comments/${anas.id}/${hiddenComment.id}/hide`, { token: mod, body: {} })).status).toBe(200);
    expect((await t.call('GET', `/api/posts/${hidden.id}`, { token: mod2 })).body).toMatchObject({ hidden: true });
    const held = (ack: SubscribeAck) => (ack.ok && ack.topic === 'posts' ? ack.snapshot.map((item) => item.id) : undefined);
    const before = await connectSocket(t.url, { token: mod2 });
    sockets.push(before);
    expect(held(await subscribe(before, { topic: 'posts', sort: 'new' }))).toContain(hidden.id);
    const ended = new Promise<string>((resolve) => before.once('disconnect', resolve));
    expect((await t.call('PUT', '/api/users/mod2/ban', { token: mod, body: { until: null, reason: 'rogue' } })).status).toBe(200);
    expect(await ended).toBe('io server disconnect');

    // It reads as a reader: what moderators hid is not shown to it, over HTTP or live.
    expect((await t.call('GET', `/api/posts/${hidden.id}`, { token: mod2 })).status).toBe(404);
    const thread = (await t.call('GET', `/api/comments/${anas.id}`, { token: mod2 })).body.items;
    expect(thread.find((c: any) => c.id === hiddenComment.id)).toMatchObject({ hidden: true, text: 'removed by a moderator' });
    const after = await connectSocket(t.url, { token: mod2 });
    sockets.push(after);
    const listed = held(await subscribe(after, { topic: 'posts', sort: 'new' }));
    expect(listed).toContain(anas.id);
    expect(listed).not.toContain(hidden.id);

    const refusals = [
      ['POST', `/api/posts/${anas.id}/hide`, {}],
      ['POST', `/api/posts/${anas.id}/lock`, {}],
      ['POST', `/api/comments/${anas.id}/${comment.id}/hide`, {}],
      ['PUT', '/api/users/mod/ban', { until: null }],
      ['DELETE', '/api/users/mod2/ban', {}],
      ['DELETE', `/api/posts/${anas.id}`, undefined],
      ['DELETE', `/api/comments/${anas.id}/${comment.id}`, undefined],
      ['DELETE', '/api/users/bob', undefined],
      ['GET', '/api/moderation/queue', undefined],
    ] as const;
    for (const [method, path, body] of refusals) {
      const refused = await t.call(method, path, { token: mod2, ...(body && { body }) });
      expect({ method, path, status: refused.status, type: refused.body.type }).toEqual({
        method,
        path,
        status: 403,
        type: 'urn:news-forum:problem:account-banned',
      });
    }
    expect((await t.call('GET', `/api/posts/${anas.id}`)).body).toMatchObject({ id: anas.id, commentCount: 2 });
    expect((await t.call('GET', '/api/users/bob', { token: admin })).status).toBe(200);
    expect(await logActions()).not.toEqual(expect.arrayContaining(['ban mod', 'lift-ban mod2', `hide ${anas.id}`]));

    expect((await t.call('DELETE', `/api/posts/${own.id}`, { token: mod2 })).status).toBe(204);
    // Lifted by another moderator, it moderates again.
    expect((await t.call('DELETE', '/api/users/mod2/ban', { token: mod, body: {} })).status).toBe(200);
    expect((await t.call('POST', `/api/posts/${anas.id}/lock`, { token: mod2, body: {} })).status).toBe(200);
    expect((await t.call('GET', `/api/posts/${hidden.id}`, { token: mod2 })).body).toMatchObject({ hidden: true });
  });
});

describe('a ban that hides the content', () => {
  test('posts leave readers, comments become placeholders (live too), moderators still see them hidden; lifting restores none', async () => {
    const spammer = await t.signUp('spammer');
    const reader = await connectSocket(t.url);
    sockets.push(reader);
    const posts = [await newPost(spammer, 'spam one'), await newPost(spammer, 'spam two')];
    const thread = await newPost(ana, 'a thread');
    const comment = await newComment(spammer, thread.id, 'buy now');
    const reply = await newComment(ana, thread.id, 'ana answers', comment.id);
    await Promise.all([subscribe(reader, { topic: 'posts' }), subscribe(reader, { topic: 'comments', postId: thread.id })]);
    const postChanges = record(reader, 'poststream');
    const commentChanges = record(reader, 'commentstream');
    const ban = await t.call('PUT', '/api/users/spammer/ban', { token: mod, body: { until: null, reason: 'spam', hideContent: true } });
    expect(ban.status).toBe(200);
    expect(ban.body).toEqual({ login: 'spammer', until: null, reason: 'spam' });
    const ids = posts.map((post) => post.id);
    await eventually(() => ids.every((id) => postChanges.some((c) => c.old_val?.id === id && c.new_val === null)));
    await eventually(() => commentChanges.some((c) => c.new_val?.id === comment.id && c.new_val.hidden === true));
    expect(commentChanges.find((c) => c.new_val?.id === comment.id)?.new_val).toMatchObject({ text: 'removed by a moderator' });
    expect(commentChanges.find((c) => c.new_val?.id === comment.id)?.new_val?.author).toBeUndefined();
    await eventually(async () => {
      const listed = (await t.call('GET', '/api/posts?sort=new&limit=100')).body.items.map((post: any) => post.id);
      return !ids.some((id) => listed.includes(id)) && listed.includes(thread.id);
    });
    for (const id of ids) {
      expect((await t.call('GET', `/api/posts/${id}`, { token: bob })).status).toBe(404);
      expect((await t.call('GET', `/api/posts/${id}`, { token: mod })).body).toMatchObject({ author: 'spammer', hidden: true });
    }
    const [placeholder, kept] = (await t.call('GET', `/api/comments/${thread.id}`)).body.items;
    expect(placeholder).toMatchObject({ id: comment.id, text: 'removed by a moderator', hidden: true });
    expect(placeholder.author).toBeUndefined();
    expect(kept).toMatchObject({ id: reply.id, text: 'ana answers' });
    expect((await t.call('GET', `/api/comments/${thread.id}`, { token: mod })).body.items[0]).toMatchObject({
      id: comment.id,
      text: 'buy now',
      author: 'spammer',
      hidden: true,
    });
    const entry = (await t.call('GET', '/api/moderation/log?limit=100', { token: admin })).body.items.find(
      (e: any) => e.action === 'ban' && e.targetId === 'spammer',
    );
    expect(entry).toMatchObject({ actor: 'mod', reason: 'spam', detail: { until: null, hideContent: true, posts: 2, comments: 1 } });
    expect((await t.call('DELETE', '/api/users/spammer/ban', { token: mod, body: {} })).status).toBe(200);
    expect((await t.call('GET', `/api/posts/${ids[0]}`, { token: bob })).status).toBe(404);
    expect((await t.call('GET', `/api/comments/${thread.id}`)).body.items[0]).toMatchObject({ id: comment.id, hidden: true });
  });
});

describe('admins stay', () => {
  test('the last admin can neither lose admin nor delete itself; with a second admin it can', async () => {
    const demote = await t.call('PUT', '/api/users/admin/scopes', { token: admin, body: { scopes: ['read', 'delete'] } });
    expect(demote.status).toBe(409);
    expect(demote.body.type).toBe('urn:news-forum:problem:last-admin');
    expect((await t.call('DELETE', '/api/users/admin', { token: admin })).status).toBe(409);
    expect((await t.call('GET', '/api/users/admin', { token: admin })).body.scopes).toContain('admin');
    await t.signUp('eve');
    expect((await t.call('PUT', '/api/users/eve/scopes', { token: admin, body: { scopes: ['read', 'delete', 'admin'] } })).status).toBe(
      200,
    );
    expect((await t.call('PUT', '/api/users/eve/scopes', { token: mod, body: { scopes: [] } })).status).toBe(403);
    const eve = await t.login('eve', 'eve-password');
    expect((await t.call('DELETE', '/api/users/eve', { token: eve })).status).toBe(204);
    expect(await logActions()).toEqual(expect.arrayContaining(['set-scopes eve', 'delete-account eve']));
  });
});

describe('queue and log', () => {
  test('the queue is for moderators, newest first, paginated', async () => {
    expect((await t.call('GET', '/api/moderation/queue', { token: ana })).status).toBe(403);
    expect((await t.call('GET', '/api/moderation/queue')).status).toBe(401);
    const first = await t.call('GET', '/api/moderation/queue?limit=1', { token: mod });
    expect(first.body.items).toHaveLength(1);
    const second = await t.call('GET', `/api/moderation/queue?limit=1&cursor=${first.body.nextCursor}`, { token: mod });
    expect(second.body.items).toHaveLength(1);
    expect(Date.parse(first.body.items[0].at)).toBeGreaterThanOrEqual(Date.parse(second.body.items[0].at));
  });

  test('the log is for admins, newest first, paginated, with who and why', async () => {
    expect((await t.call('GET', '/api/moderation/log', { token: mod })).status).toBe(403);
    const first = await t.call('GET', '/api/moderation/log?limit=2', { token: admin });
    expect(first.body.items).toHaveLength(2);
    const next = await t.call('GET', `/api/moderation/log?limit=2&cursor=${first.body.nextCursor}`, { token: admin });
    const ids = [...first.body.items, ...next.body.items].map((entry: any) => entry.id);
    expect(new Set(ids).size).toBe(4);
    const ban = (await t.call('GET', '/api/moderation/log?limit=100', { token: admin })).body.items.find(
      (e: any) => e.action === 'ban' && e.targetId === 'carol',
    );
    expect(ban).toMatchObject({ actor: 'mod', targetKind: 'user', reason: 'cool off', detail: { until: expect.any(String) } });
  });
});

describe('bad input changes nothing', () => {
  test('too long reasons, unknown reasons, bans in the past or too far, missing or deleted items', async () => {
    const post = await newPost(ana);
    const comment = await newComment(bob, post.id);
    const before = await logActions();
    const cases: [string, string, string, unknown, number][] = [
      ['POST', `/api/posts/${post.id}/hide`, mod, { reason: 'x'.repeat(501) }, 422],
      ['POST', `/api/posts/${post.id}/flags`, bob, { reason: 'boring' }, 422],
      ['POST', `/api/posts/${post.id}/flags`, bob, {}, 422],
      ['PUT', '/api/users/bob/ban', mod, { until: new Date(Date.now() - 60_000).toISOString() }, 422],
      ['PUT', '/api/users/bob/ban', mod, { until: new Date(Date.now() + 200 * 365 * 86_400_000).toISOString() }, 422],
      ['PUT', '/api/users/bob/ban', mod, { until: 'tomorrow' }, 422],
      ['PUT', '/api/users/bob/ban', mod, {}, 422],
      ['PUT', '/api/users/bob/ban', mod, { until: null, hideContent: 'yes' }, 422],
      ['PUT', '/api/users/bob/ban', mod, { until: null, hideContent: null }, 422],
      ['PUT', '/api/users/nobody/ban', mod, { until: null }, 404],
      ['PUT', `/api/posts/${post.id}/edit`, ana, {}, 422],
      ['PUT', `/api/posts/${post.id}/edit`, ana, { title: ' ' }, 422],
      ['PUT', '/api/users/bob/scopes', admin, { scopes: ['root'] }, 422],
      ['POST', '/api/posts/00000000-0000-4000-8000-000000000000/hide', mod, {}, 404],
      ['POST', '/api/posts/00000000-0000-4000-8000-000000000000/flags', bob, { reason: 'spam' }, 404],
      ['POST', `/api/comments/${post.id}/00000000-0000-4000-8000-000000000000/hide`, mod, {}, 404],
      ['POST', '/api/posts/not-an-id/lock', mod, {}, 400],
    ];
    for (const [method, path, token, body, status] of cases) {
      const answer = await t.call(method, path, { token, body });
      expect(`${method} ${path} ${JSON.stringify(body).slice(0, 40)} -> ${answer.status}`).toBe(
        `${method} ${path} ${JSON.stringify(body).slice(0, 40)} -> ${status}`,
      );
    }
    expect((await t.call('DELETE', `/api/comments/${post.id}/${comment.id}`, { token: bob })).status).toBe(204);
    expect((await t.call('POST', `/api/comments/${post.id}/${comment.id}/hide`, { token: mod, body: {} })).status).toBe(404);
    expect((await t.call('PUT', `/api/comments/${post.id}/${comment.id}/edit`, { token: bob, body: { text: 'x' } })).status).toBe(404);
    expect((await t.call('DELETE', `/api/posts/${post.id}`, { token: ana })).status).toBe(204);
    expect((await t.call('POST', `/api/posts/${post.id}/lock`, { token: mod, body: {} })).status).toBe(404);
    expect(await logActions()).toEqual(before);
    expect((await t.call('GET', '/api/users/bob', { token: admin })).body.scopes).toEqual([]);
    expect((await t.call('POST', '/api/posts', { token: bob, body: { title: 'not banned' } })).status).toBe(201);
  });
});

describe('an admin banned by another admin', () => {
  test("an admin's ban of another admin is lifted by admins only, not by a moderator", async () => {
    await t.signUp('rogue');
    expect((await t.call('PUT', '/api/users/rogue/scopes', { token: admin, body: { scopes: ['read', 'admin'] } })).status).toBe(200);
    const rogue = await t.login('rogue', 'rogue-password');
    expect((await t.call('PUT', '/api/users/rogue/ban', { token: admin, body: { until: null } })).status).toBe(200);
    const lifted = await t.call('DELETE', '/api/users/rogue/ban', { token: mod, body: { reason: 'a favour' } });
    expect(lifted.status).toBe(403);
    expect(lifted.body.type).toBe('urn:news-forum:problem:forbidden');
    // Still banned: its admin token does nothing.
    expect((await t.call('PUT', '/api/users/mod/scopes', { token: rogue, body: { scopes: ['read', 'delete', 'admin'] } })).status).toBe(
      403,
    );
    expect(await logActions()).not.toContain('lift-ban rogue');
    expect((await t.call('DELETE', '/api/users/rogue/ban', { token: admin, body: {} })).status).toBe(200);
    expect((await t.call('DELETE', '/api/users/rogue', { token: admin })).status).toBe(204);
  });
});
