import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { Adapter } from 'socket.io-adapter';
import { io as connect, type Socket } from 'socket.io-client';
import { createLogger } from '../../src/logger.js';
import { OneWriteAdapter } from '../../src/realtime/one-write-frames.js';
import { attachRedis, type RedisLink } from '../../src/realtime/redis.js';
import { startRedis, type TestRedis } from '../support/redis.js';

type AdapterOption = typeof Adapter | typeof OneWriteAdapter;

/**
 * A socket.io server on port 0 with `adapter` (or what `setUp` installs), three WebSocket clients, and how many
 * buffers each frame it wrote had.
 */
async function broadcastServer(adapter: AdapterOption, setUp?: (io: Server) => Promise<void>) {
  const http: HttpServer = createServer();
  // No heartbeat among the frames a test counts, however slow the machine.
  const io = new Server(http, { adapter, serveClient: false, pingInterval: 600_000 });
  await setUp?.(io);
  const frameParts: number[] = [];
  io.on('connection', (socket: ServerSocket) => {
    // The real sender of this socket's WebSocket: each frame it is handed is recorded, then written as before.
    const sender = (socket.conn.transport as unknown as { socket: { _sender: { sendFrame(list: Buffer[], cb?: () => void): void } } })
      .socket._sender;
    const sendFrame = sender.sendFrame.bind(sender);
    sender.sendFrame = (list, cb) => {
      frameParts.push(list.length);
      sendFrame(list, cb);
    };
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const clients: Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const client = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('connect_error', reject);
    });
  }
  return {
    io,
    clients,
    frameParts,
    async close() {
      for (const client of clients) client.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

/** What each client receives of the next `news` event. */
function nextNews(clients: Socket[]): Promise<unknown[]> {
  return Promise.all(clients.map((client) => new Promise((resolve) => client.once('news', resolve))));
}

// Payloads whose WebSocket headers are 2, 4 and 10 bytes long (lengths below 126, below 65,536, above).
const PAYLOADS = [
  { text: 'short, with é and 🗞' },
  { text: 'm'.repeat(2_000), n: 1 },
  { text: 'l'.repeat(70_000), items: Array.from({ length: 50 }, (_, i) => ({ i, ok: i % 2 === 0 })) },
];

describe('OneWriteAdapter', () => {
  let server: Awaited<ReturnType<typeof broadcastServer>>;
  beforeAll(async () => {
    server = await broadcastServer(OneWriteAdapter);
  });
  afterAll(() => server.close());

  test.each(PAYLOADS.map((payload) => [JSON.stringify(payload).length, payload]))(
    'a broadcast of %d bytes reaches every client intact, written as one buffer per socket',
    async (_length, payload) => {
      server.frameParts.length = 0;
      const received = nextNews(server.clients);
      server.io.emit('news', payload);
      expect(await received).toEqual([payload, payload, payload]);
      expect(server.frameParts).toEqual([1, 1, 1]);
    },
  );

  test('a message to one socket is framed by ws as before, and arrives', async () => {
    const [socket] = await server.io.fetchSockets();
    const client = server.clients.find((c) => c.id === socket?.id);
    const received = new Promise((resolve) => client?.once('news', resolve));
    socket?.emit('news', PAYLOADS[0]);
    expect(await received).toEqual(PAYLOADS[0]);
  });
});

test("socket.io's own adapter writes a broadcast's frame as two buffers (what the test above tells apart)", async () => {
  const server = await broadcastServer(Adapter);
  try {
    server.frameParts.length = 0;
    const received = nextNews(server.clients);
    server.io.emit('news', PAYLOADS[0]);
    expect(await received).toEqual([PAYLOADS[0], PAYLOADS[0], PAYLOADS[0]]);
    expect(server.frameParts).toEqual([2, 2, 2]);
  } finally {
    await server.close();
  }
});

describe('the Redis adapter of a node (attachRedis)', () => {
  let redis: TestRedis;
  let link: RedisLink | undefined;
  let server: Awaited<ReturnType<typeof broadcastServer>>;
  beforeAll(async () => {
    redis = await startRedis();
    server = await broadcastServer(Adapter, async (io) => {
      link = await attachRedis(io, redis.url, createLogger('error'));
    });
  }, 30_000);
  afterAll(async () => {
    await server.close();
    await link?.close();
    await redis.stop();
  });

  test.each([
    ['to every node', (io: Server) => io.emit('news', PAYLOADS[1])],
    ['to this node only', (io: Server) => io.local.emit('news', PAYLOADS[1])],
  ])('a broadcast %s is written as one buffer per socket', async (_how, emit) => {
    server.frameParts.length = 0;
    const received = nextNews(server.clients);
    emit(server.io);
    expect(await received).toEqual([PAYLOADS[1], PAYLOADS[1], PAYLOADS[1]]);
    expect(server.frameParts).toEqual([1, 1, 1]);
  });
});
