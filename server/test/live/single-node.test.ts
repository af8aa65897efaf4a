import { MAX_TOPICS_PER_SOCKET } from '@news-forum/protocol';
import WebSocket from 'ws';
import { applyChanges, connectSocket, eventually, record, subscribe, type TestSocket } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
let ana: string;
let bob: string;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  t = await startTestServer();
  ana = await t.signUp('ana');
  bob = await t.signUp('bob');
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t.cleanup();
});

async function client(token?: string) {
  const socket = await connectSocket(t.url, token ? { token } : {});
  sockets.push(socket);
  return socket;
}

test('a subscriber to posts sees a vote made over REST by another user, with counters and a higher version', async () => {
  const post = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'live' } })).body;
  const watcher = await client();
  const ack = await subscribe(watcher, { topic: 'posts' });
  expect(ack).toMatchObject({ ok: true, topic: 'posts' });
  const held = ack.ok && ack.topic === 'posts' ? ack.snapshot.find((p) => p.id === post.id)! : undefined;
  expect(held).toMatchObject({ id: post.id, upvotes: 0 });
  const changes = record(watcher, 'poststream');
  await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: bob });
  await eventually(() => changes.some((c) => c.new_val?.id === post.id && c.new_val.upvotes === 1), 5000, 'the vote');
  const change = changes.find((c) => c.new_val?.upvotes === 1)!;
  expect(change.old_val).toMatchObject({ id: post.id, upvotes: 0 });
  expect(change.new_val).toMatchObject({ id: post.id, upvotes: 1, downvotes: 0, score: 1 });
  expect(change.new_val.version).toBeGreaterThan(held!.version);
  expect(change.new_val).not.toHaveProperty('myVote');
});

test('new posts and deletions arrive as inserts and deletes', async () => {
  const watcher = await client();
  await subscribe(watcher, { topic: 'posts' });
  const changes = record(watcher, 'poststream');
  const post = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'fresh' } })).body;
  await eventually(() => changes.some((c) => c.old_val === null && c.new_val?.id === post.id), 5000, 'the insert');
  await t.call('DELETE', `/api/posts/${post.id}`, { token: ana });
  await eventually(() => changes.some((c) => c.new_val === null && c.old_val?.id === post.id), 5000, 'the delete');
});

test("a subscriber to one post's comments sees its new and deleted comments and nothing of other posts", async () => {
  const mine = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'mine' } })).body;
  const other = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'other' } })).body;
  const early = (await t.call('PUT', `/api/comments/${mine.id}`, { token: bob, body: { text: 'before' } })).body;
  const watcher = await client();
  const ack = await subscribe(watcher, { topic: 'comments', postId: mine.id });
  expect(ack.ok && ack.topic === 'comments' && ack.snapshot.map((c) => c.id)).toEqual([early.id]);
  const changes = record(watcher, 'commentstream');
  const posts = record(watcher, 'poststream');
  await t.call('PUT', `/api/comments/${other.id}`, { token: bob, body: { text: 'elsewhere' } });
  const created = (await t.call('PUT', `/api/comments/${mine.id}`, { token: bob, body: { text: 'hello' } })).body;
  await eventually(() => changes.some((c) => c.new_val?.id === created.id), 5000, 'the comment');
  await t.call('DELETE', `/api/comments/${mine.id}/${early.id}`, { token: bob });
  await eventually(() => changes.some((c) => c.new_val === null && c.old_val?.id === early.id), 5000, 'the deletion');
  expect(changes.every((c) => (c.new_val ?? c.old_val).postId === mine.id)).toBe(true);
  expect(changes.map((c) => (c.new_val ? 'insert' : 'delete'))).toEqual(['insert', 'delete']);
  // Not subscribed to posts: no poststream.
  expect(posts).toEqual([]);
});

test("deleting a post ends its thread: its comments' readers are told to resync, leave its room, and find it gone", async () => {
  const post = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'to be deleted' } })).body;
  await t.call('PUT', `/api/comments/${post.id}`, { token: bob, body: { text: 'a comment' } });
  const reader = await client();
  const topic = { topic: 'comments' as const, postId: post.id };
  expect((await subscribe(reader, topic)).ok).toBe(true);
  const resyncs: unknown[] = [];
  reader.on('resync', (asked) => resyncs.push(asked));
  expect((await t.call('DELETE', `/api/posts/${post.id}`, { token: ana })).status).toBe(204);
  await eventually(() => resyncs.length === 1, 5000, 'the reader told to resync');
  expect(resyncs).toEqual([topic]);
  const rooms = [...(t.server.gateway.io.of('/').sockets.get(reader.id ?? '')?.rooms ?? [])];
  expect(rooms.filter((room) => room.includes(post.id))).toEqual([]);
  expect(await subscribe(reader, topic)).toMatchObject({ ok: false, error: { status: 404 } });
});

test('unsubscribe stops events', async () => {
  const post = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'quiet' } })).body;
  const watcher = await client();
  await subscribe(watcher, { topic: 'posts' });
  const changes = record(watcher, 'poststream');
  await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: ana });
  await eventually(() => changes.length > 0, 5000, 'a first change');
  expect(await watcher.timeout(5000).emitWithAck('unsubscribe', { topic: 'posts' })).toEqual({ ok: true });
  const seen = changes.length;
  await t.call('POST', `/api/posts/${post.id}/downvotes`, { token: ana });
  // A second subscriber proves the change was emitted; the first must not get it.
  const probe = await client();
  await subscribe(probe, { topic: 'posts' });
  const probed = record(probe, 'poststream');
  await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: bob });
  await eventually(() => probed.length > 0, 5000, 'the probe');
  expect(changes.length).toBe(seen);
});

test('the snapshot race: subscribing while 100 votes are in flight converges to the database state', async () => {
  const post = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'race' } })).body;
  const voters = await Promise.all(Array.from({ length: 100 }, (_, i) => t.signUp(`racer${i}`)));
  const watcher = await client();
  const changes = record(watcher, 'poststream');
  const votes = Promise.all(
    voters.map((token, i) => t.call('POST', `/api/posts/${post.id}/${i % 3 === 0 ? 'downvotes' : 'upvotes'}`, { token })),
  );
  const ack = await subscribe(watcher, { topic: 'posts', sort: 'new', limit: 100 });
  await votes;
  const final = (await t.call('GET', `/api/posts/${post.id}`)).body;
  delete final.myVote;
  await eventually(() => changes.some((c) => c.new_val?.id === post.id && c.new_val.version === final.version), 10_000, 'the last version');
  const state = applyChanges(ack.ok && ack.topic === 'posts' ? ack.snapshot : [], changes);
  expect(state.get(post.id)).toEqual(final);
  expect(final).toMatchObject({ upvotes: 66, downvotes: 34 });
}, 60_000);

test('bursts of votes on one post are coalesced, carrying the latest version', async () => {
  // A wide window, so that the burst falls inside it however slow the machine is today.
  const wide = await startTestServer({ gateway: { coalesceMs: 1000 } });
  try {
    const author = await wide.signUp('burst-author');
    const post = (await wide.call('POST', '/api/posts', { token: author, body: { title: 'burst' } })).body;
    const voters = await Promise.all(Array.from({ length: 40 }, (_, i) => wide.signUp(`burst${i}`)));
    const watcher = await connectSocket(wide.url);
    sockets.push(watcher);
    await subscribe(watcher, { topic: 'posts' });
    const changes = record(watcher, 'poststream');
    const started = Date.now();
    await Promise.all(voters.map((token) => wide.call('POST', `/api/posts/${post.id}/upvotes`, { token })));
    const final = (await wide.call('GET', `/api/posts/${post.id}`)).body;
    await eventually(() => changes.some((c) => c.new_val?.version === final.version), 10_000, 'the latest version');
    const versions = changes.filter((c) => c.new_val?.id === post.id).map((c) => c.new_val.version);
    // The first change goes out at once, then one per window at most.
    const windows = Math.ceil((Date.now() - started) / 1000) + 1;
    expect(versions.length).toBeLessThanOrEqual(windows);
    expect(versions.length).toBeLessThan(40);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions.at(-1)).toBe(final.version);
  } finally {
    await wide.cleanup();
  }
}, 60_000);

describe('handshake and limits', () => {
  test('a bad token is refused with a clear connect_error; anonymous may read', async () => {
    await expect(connectSocket(t.url, { token: 'not.a.token' })).rejects.toThrow(/invalid/i);
    const anon = await client();
    expect((await subscribe(anon, { topic: 'posts' })).ok).toBe(true);
  });

  test('malformed topics are refused without harm', async () => {
    const socket = await client(ana);
    for (const topic of [
      null,
      42,
      'posts',
      { topic: 'users' },
      { topic: 'comments', postId: '../../etc' },
      { topic: 'posts', limit: 1e9 },
    ]) {
      const ack = await socket.timeout(5000).emitWithAck('subscribe', topic as never);
      expect(ack).toMatchObject({ ok: false, error: { status: 400 } });
    }
    const missing = await subscribe(socket, { topic: 'comments', postId: '00000000-0000-4000-8000-000000000000' });
    expect(missing).toMatchObject({ ok: false, error: { status: 404 } });
    expect((await subscribe(socket, { topic: 'posts' })).ok).toBe(true);
  });

  test('a socket follows at most MAX_TOPICS_PER_SOCKET topics; leaving one makes room', async () => {
    const socket = await client();
    const posts: string[] = [];
    for (let i = 0; i < MAX_TOPICS_PER_SOCKET; i++) {
      const created = await t.call('POST', '/api/posts', { token: ana, body: { title: `followed ${i}` } });
      posts.push(created.body.id);
    }
    expect((await subscribe(socket, { topic: 'posts', limit: 1 })).ok).toBe(true);
    for (const postId of posts.slice(1)) expect((await subscribe(socket, { topic: 'comments', postId })).ok).toBe(true);
    const refused = await subscribe(socket, { topic: 'comments', postId: posts[0]! });
    expect(refused).toMatchObject({ ok: false, error: { status: 409 } });
    // Following one already followed again is no new topic.
    expect((await subscribe(socket, { topic: 'comments', postId: posts[1]! })).ok).toBe(true);
    const rooms = t.server.gateway.io.of('/').sockets.get(socket.id ?? '')?.rooms;
    expect([...(rooms ?? [])].filter((room) => room.startsWith('comments:'))).toHaveLength(MAX_TOPICS_PER_SOCKET - 1);
    await socket.timeout(5000).emitWithAck('unsubscribe', { topic: 'comments', postId: posts[1]! });
    expect((await subscribe(socket, { topic: 'comments', postId: posts[0]! })).ok).toBe(true);
  });

  test('a client flooding subscribe is limited', async () => {
    const socket = await client();
    const acks = await Promise.all(Array.from({ length: 80 }, () => subscribe(socket, { topic: 'posts', limit: 1 })));
    expect(acks.filter((a) => a.ok)).toHaveLength(60);
    expect(acks.filter((a) => !a.ok).every((a) => !a.ok && a.error.status === 429)).toBe(true);
    // Leaving is never refused for the rate: the client would stay in a room it let go.
    expect(await socket.timeout(5000).emitWithAck('unsubscribe', { topic: 'posts' })).toEqual({ ok: true });
    expect(
      t.server.gateway.io
        .of('/')
        .sockets.get(socket.id ?? '')
        ?.rooms.has('posts'),
    ).toBe(false);
  });

  test('a subscribe and an unsubscribe sent together: the unsubscribe, sent last, wins', async () => {
    const post = (await t.call('POST', '/api/posts', { token: ana, body: { title: 'opened and closed' } })).body;
    const socket = await client();
    const onServer = () => t.server.gateway.io.of('/').sockets.get(socket.id ?? '');
    for (let round = 0; round < 30; round++) {
      // Sent in one tick, as a view opened and closed at once; the subscribe waits on its rate limit first.
      const subscribed = socket.timeout(5000).emitWithAck('subscribe', { topic: 'comments', postId: post.id });
      const left = socket.timeout(5000).emitWithAck('unsubscribe', { topic: 'comments', postId: post.id });
      expect(await subscribed).toMatchObject({ ok: true });
      expect(await left).toEqual({ ok: true });
      expect([...(onServer()?.rooms ?? [])].filter((room) => room.includes(post.id))).toEqual([]);
    }
  });

  test('a socket flooding events is disconnected, and only it', async () => {
    const flooder = await client();
    const bystander = await client();
    const closed = new Promise((resolve) => flooder.once('disconnect', resolve));
    for (let i = 0; i < 1000; i++) flooder.emit('unsubscribe', { topic: 'posts' }, () => undefined);
    expect(await closed).toBe('io server disconnect');
    expect((await subscribe(bystander, { topic: 'posts' })).ok).toBe(true);
  });

  test('an oversized packet drops that socket and nothing else', async () => {
    const big = await client();
    const bystander = await client();
    const closed = new Promise((resolve) => big.once('disconnect', resolve));
    big.emit('subscribe', { topic: 'posts', padding: 'x'.repeat(64 * 1024) } as never, () => undefined);
    expect(await closed).toBeDefined();
    expect((await subscribe(bystander, { topic: 'posts' })).ok).toBe(true);
    expect((await t.call('GET', '/api')).status).toBe(200);
  });

  test('malformed socket.io packets do not crash the server', async () => {
    const raw = new WebSocket(`${t.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
    await new Promise((resolve, reject) => {
      raw.once('message', resolve);
      raw.once('error', reject);
    });
    raw.send('40');
    const closed = new Promise((resolve) => raw.once('close', resolve));
    for (const packet of [
      '42[',
      '42["subscribe",',
      '42[{"topic":"posts"}]',
      '43',
      '4{}',
      '9999',
      '42["subscribe",{"topic":"posts"},1]',
      '42["__proto__"]',
    ])
      raw.send(packet);
    raw.send(Buffer.from([0xff, 0x00, 0xfe, 0x01]));
    raw.send(`42["subscribe",${'['.repeat(5000)}${']'.repeat(5000)}]`);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000))]);
    raw.terminate();
    const after = await client();
    expect((await subscribe(after, { topic: 'posts' })).ok).toBe(true);
    expect((await t.call('GET', '/api')).status).toBe(200);
  });

  test('a socket from an origin not in CORS_ORIGINS is refused; a listed one is let in', async () => {
    const strict = await startTestServer({ env: { CORS_ORIGINS: 'https://blog.example.com' } });
    try {
      await expect(connectSocket(strict.url, { origin: 'https://evil.example' })).rejects.toThrow();
      const ok = await connectSocket(strict.url, { origin: 'https://blog.example.com' });
      ok.close();
    } finally {
      await strict.cleanup();
    }
  });
});
