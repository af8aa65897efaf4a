import WebSocket from 'ws';
import { eventually } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const LIMIT = 256 * 1024;
let t: TestServer;
let author: string;
let reader: WebSocket | undefined;

beforeAll(async () => {
  t = await startTestServer({ gateway: { maxUnsentBytes: LIMIT } });
  author = await t.signUp('author');
});
afterAll(async () => {
  reader?.terminate();
  await t.cleanup();
});

/** A raw socket.io client subscribed to posts, which then stops reading. */
async function silentReader(): Promise<WebSocket> {
  const ws = new WebSocket(`${t.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
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
  ws.send('420["subscribe",{"topic":"posts","sort":"new"}]');
  await eventually(() => frames.some((f) => f.startsWith('430')), 5_000, 'the subscription');
  ws.pause();
  return ws;
}

test('a subscriber that stops reading is disconnected once its unsent data passes the limit', async () => {
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
