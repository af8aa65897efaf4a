// The bundle's WebSocket-only socket.io client against a real socket.io
// server (and, for a silent server, a bare WebSocket server), over `ws`, the
// WebSocket that Node 20 lacks globally.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { Server, type Socket } from 'socket.io';
import { WebSocket, WebSocketServer } from 'ws';
import { io, type WebSocketIo, type WebSocketIoOptions } from '../src/live/websocket-io.js';
import { waitFor } from './support/wait.js';

let http: HttpServer;
let server: Server;
let url: string;
/** Every socket that completed the handshake, and the reasons the server saw each disconnect. */
const connections: Socket[] = [];
const serverSawDisconnect: string[] = [];
const clients: WebSocketIo[] = [];

beforeAll(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  http = createServer();
  server = new Server(http, { pingInterval: 100, pingTimeout: 5000 });
  server.use((socket, next) => {
    if (socket.handshake.auth.token === 'refused')
      next(Object.assign(new Error('Refused'), { data: { status: 401, title: 'Unauthorized' } }));
    else next();
  });
  server.on('connection', (socket) => {
    connections.push(socket);
    socket.emit('hello', socket.handshake.auth);
    socket.on('echo', (value, ack) => ack(value));
    socket.on('ignored', () => {});
    socket.on('disconnect', (reason) => serverSawDisconnect.push(reason));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function connect(options: WebSocketIoOptions = {}, to = url): WebSocketIo {
  const client = io(to, { path: '/socket.io', reconnectionDelay: 10, reconnectionDelayMax: 20, ...options });
  clients.push(client);
  return client;
}

const next = <T extends unknown[]>(client: WebSocketIo, event: string) =>
  new Promise<T>((resolve) => client.on(event, (...args: never[]) => resolve(args as unknown as T)));

describe('the WebSocket-only socket.io client', () => {
  test('connects sending the auth current at that moment, hears events and gets acknowledgements', async () => {
    const hello = next<[object]>(connect({ auth: (send) => send({ token: 'a' }) }), 'hello');
    expect(await hello).toEqual([{ token: 'a' }]);
    const client = clients[0] as WebSocketIo;
    expect(client.connected).toBe(true);
    expect(client.active).toBe(true);

    const withTimeout = new Promise((resolve) => client.timeout(1000).emit('echo', { n: 1 }, (...args: unknown[]) => resolve(args)));
    expect(await withTimeout).toEqual([null, { n: 1 }]);
    const plain = new Promise((resolve) => client.emit('echo', 'two', (...args: unknown[]) => resolve(args)));
    expect(await plain).toEqual(['two']);
  });

  test('an emit made before the connection opens is sent once it is', async () => {
    const client = connect();
    expect(client.connected).toBe(false);
    const reply = new Promise((resolve) => client.emit('echo', 3, resolve));
    expect(await reply).toBe(3);
  });

  test('an acknowledgement that does not come in time is an error', async () => {
    const client = connect();
    const reply = new Promise<unknown[]>((resolve) => client.timeout(50).emit('ignored', 1, (...args: unknown[]) => resolve(args)));
    const [error] = await reply;
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('operation has timed out');
  });

  test("a refused handshake is a connect_error with the server's data, and no more attempts", async () => {
    const client = connect({ auth: (send) => send({ token: 'refused' }) });
    const [error] = await next<[Error & { data?: unknown }]>(client, 'connect_error');
    expect(error.message).toBe('Refused');
    expect(error.data).toEqual({ status: 401, title: 'Unauthorized' });
    expect(client.active).toBe(false);
    expect(client.connected).toBe(false);
  });

  test('the server disconnecting it is "io server disconnect": inactive until connect(), which sends the new auth', async () => {
    let token = 'first';
    const client = connect({ auth: (send) => send({ token }) });
    await next(client, 'connect');
    const socket = connections.at(-1) as Socket;
    const disconnected = next<[string]>(client, 'disconnect');
    socket.disconnect(true);
    expect(await disconnected).toEqual(['io server disconnect']);
    expect(client.active).toBe(false);

    token = 'second';
    const hello = next<[object]>(client, 'hello');
    client.connect();
    expect(await hello).toEqual([{ token: 'second' }]);
  });

  test('a closed connection is "transport close", and it reconnects by itself', async () => {
    const client = connect();
    await next(client, 'connect');
    const disconnected = next<[string]>(client, 'disconnect');
    (connections.at(-1) as Socket).conn.close();
    expect(await disconnected).toEqual(['transport close']);
    expect(client.active).toBe(true);
    await next(client, 'connect');
    expect(client.connected).toBe(true);
  });

  test('it answers pings, so the server keeps it past several ping intervals', async () => {
    const client = connect();
    await next(client, 'connect');
    const socket = connections.at(-1) as Socket;
    let pongs = 0;
    socket.conn.on('heartbeat', () => (pongs += 1));
    await waitFor('three pongs', () => pongs >= 3);
    expect(socket.connected).toBe(true);
    expect(client.connected).toBe(true);
  });

  test('disconnect() tells the server and stops', async () => {
    const client = connect();
    await next(client, 'connect');
    const before = serverSawDisconnect.length;
    client.disconnect();
    expect(client.active).toBe(false);
    await waitFor('the server to see it', () => serverSawDisconnect.length > before);
    expect(serverSawDisconnect.at(-1)).toBe('client namespace disconnect');
  });

  test('a server that goes silent is "ping timeout", and it reconnects', async () => {
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => silent.once('listening', resolve));
    let opened = 0;
    silent.on('connection', (ws) => {
      opened += 1;
      ws.send('0{"sid":"s","upgrades":[],"pingInterval":50,"pingTimeout":50,"maxPayload":1000}');
      ws.on('message', (data) => String(data).startsWith('40') && ws.send('40{"sid":"t"}'));
    });
    try {
      const client = connect({}, `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
      await next(client, 'connect');
      expect(await next<[string]>(client, 'disconnect')).toEqual(['ping timeout']);
      await next(client, 'connect');
      expect(opened).toBe(2);
    } finally {
      for (const client of clients.splice(0)) client.disconnect();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('a server that cannot be reached is a connect_error, and it keeps trying', async () => {
    const nobody = createServer();
    await new Promise<void>((resolve) => nobody.listen(0, '127.0.0.1', resolve));
    const port = (nobody.address() as AddressInfo).port;
    await new Promise((resolve) => nobody.close(resolve));
    const client = connect({}, `http://127.0.0.1:${port}`);
    const errors: Error[] = [];
    client.on('connect_error', (error: never) => errors.push(error));
    await waitFor('two failed attempts', () => errors.length >= 2);
    expect(client.active).toBe(true);
    expect(client.connected).toBe(false);
  });
});
