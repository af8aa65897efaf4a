import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { eventually } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const CAP = 20;
let t: TestServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await startTestServer({ env: { MAX_CONNECTIONS_PER_IP: String(CAP) } });
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await t.cleanup();
});

/** A connection from `localAddress` that sends half a request and never the rest. */
async function halfOpen(localAddress: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect({ port: t.server.port, host: '127.0.0.1', localAddress });
  sockets.push(socket);
  socket.on('error', () => undefined);
  // Read what comes (a 408), so that the end of the connection is seen.
  socket.resume();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write('GET /api/posts HTTP/1.1\r\nHost: x\r\n');
  return { socket, closed };
}

function healthz(localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ port: t.server.port, host: '127.0.0.1', localAddress, path: '/healthz', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('one address holding many unfinished requests cannot take the node from others, and its requests time out', async () => {
  const held = [];
  for (let i = 0; i < CAP; i++) held.push(await halfOpen('127.0.0.2'));
  // One more from the same address is closed at once.
  const extra = await halfOpen('127.0.0.2');
  let closedEarly = false;
  void extra.closed.then(() => (closedEarly = true));
  await eventually(() => closedEarly, 5_000, 'the connection over the cap to be closed');
  // Others are served meanwhile.
  expect(await healthz('127.0.0.1')).toBe(200);
  // The unfinished requests are dropped once the headers timeout passes.
  await Promise.all(held.map((h) => h.closed));
  expect(await healthz('127.0.0.2')).toBe(200);
}, 40_000);

test('MAX_CONNECTIONS_PER_IP must be a positive whole number', async () => {
  const { loadConfig } = await import('../../src/config/config.js');
  expect(() => loadConfig({ MAX_CONNECTIONS_PER_IP: '0' })).toThrow(/^MAX_CONNECTIONS_PER_IP: /);
  expect(() => loadConfig({ MAX_CONNECTIONS_PER_IP: 'lots' })).toThrow(/^MAX_CONNECTIONS_PER_IP: /);
  expect(loadConfig({}).maxConnectionsPerIp).toBe(256);
});
