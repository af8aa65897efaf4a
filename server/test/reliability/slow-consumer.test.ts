import WebSocket from 'ws';
import { overLimits, unsentBytes } from '../../src/realtime/backpressure.js';
import { eventually } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const GRACE_MS = 2_000;
let t: TestServer;
let author: string;
let reader: WebSocket | undefined;

beforeAll(async () => {
  t = await startTestServer({ gateway: { unsent: { maxBytes: 256 * 1024, graceMs: GRACE_MS, hardMaxBytes: 64 * 1024 * 1024 } } });
  author = await t.signUp('author');
});
afterAll(async () => {
  reader?.terminate();
  await t.cleanup();
});

/** A raw socket.io client, connected (to `server`, by default the file's, from `localAddress`, by default 127.0.0.1). */
async function rawClient(server: TestServer = t, localAddress?: string): Promise<{ ws: WebSocket; frames: string[] }> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { localAddress });
  const frames: string[] = [];
  ws.on('message', (data) => {
    const frame = String(data);
    if (frame === '2') ws.send('3');
    frames.push(frame);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  await eventually(() => frames.some((f) => f.startsWith('0{')), 5_000, 'the engine.io handshake');
  ws.send('40');
  await eventually(() => frames.some((f) => f.startsWith('40')), 5_000, 'the socket.io connect');
  return { ws, frames };
}

/** A raw socket.io client subscribed to posts, which then stops reading. */
async function silentReader(): Promise<WebSocket> {
  const { ws, frames } = await rawClient();
  ws.send('420["subscribe",{"topic":"posts","sort":"new"}]');
  await eventually(() => frames.some((f) => f.startsWith('430')), 5_000, 'the subscription');
  ws.pause();
  return ws;
}

test('a subscriber that stops reading is disconnected once its unsent data stays over the limit', async () => {
  const io = t.server.gateway.io;
  const reasons: string[] = [];
  io.on('connection', (socket) => socket.on('disconnect', (reason) => reasons.push(reason)));
  reader = await silentReader();
  expect(io.of('/').sockets.size).toBe(1);
  const text = 'x'.repeat(40_000);
  let written = 0;
  // Changes pile up for it: first in the kernel's buffers, then in the server's.
  const writers = [0, 1, 2, 3].map(async () => {
    while (io.of('/').sockets.size > 0 && written < 1_500) {
      written++;
      const r = await t.call('POST', '/api/posts', { token: author, body: { title: `big ${written}`, text } });
      expect(r.status).toBe(201);
    }
  });
  await Promise.all(writers);
  expect(io.of('/').sockets.size).toBe(0);
  // Dropped by the server for what it held unsent, not by engine.io's ping timeout (45 s).
  expect(reasons).toEqual(['server namespace disconnect']);
}, 60_000);

test('a reader slow to take a snapshot bigger than the limit keeps its socket while it reads', async () => {
  // 100 posts of the longest text in four-byte characters: a 16 MB snapshot, beyond what the kernel's buffers
  // take for a reader that does not read.
  const text = '\u{1F600}'.repeat(40_000);
  for (let i = 0; i < 100; i++) {
    const r = await t.call('POST', '/api/posts', { token: author, body: { title: `escaped ${i}`, text } });
    expect(r.status).toBe(201);
  }
  const io = t.server.gateway.io;
  const { ws, frames } = await rawClient();
  reader = ws;
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.send('420["subscribe",{"topic":"posts","sort":"new","limit":100}]');
  // A slow link: nothing is read for a while, then the snapshot comes in.
  ws.pause();
  await eventually(() => [...io.of('/').sockets.values()].some((s) => unsentBytes(s) > 256 * 1024), 5_000, 'the snapshot held unsent');
  await new Promise((resolve) => setTimeout(resolve, GRACE_MS / 2));
  ws.resume();
  await eventually(() => frames.some((f) => f.startsWith('430')), 20_000, 'the subscription with its snapshot');
  const ack = JSON.parse(frames.find((f) => f.startsWith('430'))?.slice(3) ?? '[]')[0];
  expect(ack.ok).toBe(true);
  expect(ack.snapshot).toHaveLength(100);
  expect(ack.snapshot[0].text).toBe(text);
  // Past the grace it is still there: it read what it held.
  await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 1_000));
  expect(io.of('/').sockets.size).toBe(1);
  ws.close();
  await closed;
}, 60_000);

test('a socket over the hard limit goes at once; over the limit, only after the grace', () => {
  const limits = { maxBytes: 100, graceMs: 1_000, hardMaxBytes: 1_000 };
  expect(overLimits(1_001, undefined, 0, limits)).toBe(true);
  expect(overLimits(500, undefined, 0, limits)).toBe(false);
  expect(overLimits(500, 0, 999, limits)).toBe(false);
  expect(overLimits(500, 0, 1_000, limits)).toBe(true);
  expect(overLimits(100, 0, 5_000, limits)).toBe(false);
});

describe('sockets of one address that subscribe and never read', () => {
  let node: TestServer;
  const silent: WebSocket[] = [];
  beforeAll(async () => {
    // Single sockets may hold a lot for long here: only what one address holds together is in question.
    node = await startTestServer({
      // The request limit as shipped (600 a minute); writes out of the way of the set-up's hundred posts.
      limits: { requestsPerIp: { max: 600, windowMs: 60_000 }, writesPerUser: { max: 1_000, windowMs: 60_000 } },
      gateway: {
        unsent: {
          maxBytes: 64 * 1024 * 1024,
          graceMs: 60_000,
          hardMaxBytes: 64 * 1024 * 1024,
          maxBytesPerAddress: 1024 * 1024,
          maxBytesPerNode: 1024 * 1024,
        },
      },
    });
    const writer = await node.signUp('long-writer');
    // Posts of the longest text in four-byte characters: a snapshot of 100 of them is 16 MB.
    const text = '\u{1F600}'.repeat(40_000);
    for (let i = 0; i < 100; i++) {
      const r = await node.call('POST', '/api/posts', { token: writer, body: { title: `long ${i}`, text } });
      expect(r.status).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    for (const ws of silent) ws.terminate();
    await node.cleanup();
  });

  test('are refused further snapshots (429) once what they hold unsent passes the limit, until it is read; others, while the node holds too much (503)', async () => {
    const io = node.server.gateway.io;
    const first = await rawClient(node);
    silent.push(first.ws);
    first.ws.send('420["subscribe",{"topic":"posts","sort":"new","limit":100}]');
    first.ws.pause();
    await eventually(() => [...io.of('/').sockets.values()].some((s) => unsentBytes(s) > 1024 * 1024), 10_000, 'the snapshot held unsent');

    const second = await rawClient(node);
    silent.push(second.ws);
    second.ws.send('421["subscribe",{"topic":"posts","sort":"new","limit":100}]');
    await eventually(() => second.frames.some((f) => f.startsWith('431')), 10_000, 'the answer');
    const refused = JSON.parse(second.frames.find((f) => f.startsWith('431'))!.slice(3))[0];
    expect(refused).toMatchObject({ ok: false, error: { status: 429, detail: expect.stringMatching(/unread/) } });
    // Another client, while the node as a whole holds more than it may: refused too, for now.
    const other = await rawClient(node, '127.0.0.2');
    silent.push(other.ws);
    other.ws.send('421["subscribe",{"topic":"posts","sort":"new","limit":5}]');
    await eventually(() => other.frames.some((f) => f.startsWith('431')), 10_000, 'the answer');
    expect(JSON.parse(other.frames.find((f) => f.startsWith('431'))!.slice(3))[0]).toMatchObject({ ok: false, error: { status: 503 } });

    // The silent one gone, the same address subscribes again (once the node has counted what is unsent since).
    first.ws.terminate();
    await eventually(() => io.of('/').sockets.size === 2, 10_000, 'the silent socket to go');
    let id = 20;
    await eventually(
      async () => {
        id++;
        second.ws.send(`42${id}["subscribe",{"topic":"posts","sort":"new","limit":5}]`);
        await eventually(() => second.frames.some((f) => f.startsWith(`43${id}`)), 10_000, 'the answer');
        return JSON.parse(second.frames.find((f) => f.startsWith(`43${id}`))!.slice(4))[0].ok === true;
      },
      10_000,
      'a subscription taken again',
    );
    expect(io.of('/').sockets.size).toBe(2);
  }, 60_000);

  test('a client that reads its snapshots pays for their size: pages of the longest posts soon meet its request limit', async () => {
    const reader = await rawClient(node, '127.0.0.3');
    silent.push(reader.ws);
    let id = 100;
    const answer = async (event: string, topic: string) => {
      id++;
      reader.ws.send(`42${id}["${event}",${topic}]`);
      await eventually(() => reader.frames.some((f) => f.startsWith(`43${id}`)), 20_000, `the answer to ${event}`);
      return JSON.parse(reader.frames.find((f) => f.startsWith(`43${id}`))!.slice(5))[0] as { ok: boolean; error?: { detail: string } };
    };
    const topic = '{"topic":"posts","sort":"new","limit":100}';
    // Each snapshot it was given is held against its address until the node counts it read (every 500 ms): a
    // subscription refused for that is asked again, since only the request limit is in question here.
    const outcomes: string[] = [];
    let subscribes = 0;
    while (subscribes < 40 && !outcomes.includes('rate-limited')) {
      subscribes++;
      const subscribed = await answer('subscribe', topic);
      if (subscribed.ok) {
        outcomes.push('ok');
        expect((await answer('unsubscribe', topic)).ok).toBe(true);
      } else if (/unread/.test(subscribed.error!.detail)) {
        await new Promise((resolve) => setTimeout(resolve, 600));
      } else {
        outcomes.push(/Too many subscriptions/.test(subscribed.error!.detail) ? 'rate-limited' : subscribed.error!.detail);
      }
    }
    // About 8 MB each by its texts (the request limit is 600 a minute): after a few, refused. Fewer subscribes than
    // the socket's own event limit (60 a minute) were sent, so it is the request limit that refused.
    expect(outcomes.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
    expect(outcomes.at(-1)).toBe('rate-limited');
    expect(outcomes.length).toBeLessThanOrEqual(7);
    expect(subscribes).toBeLessThan(60);
  }, 60_000);
});
