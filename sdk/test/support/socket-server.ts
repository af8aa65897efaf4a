import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/index.js';

export type ScriptedSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** A real socket.io server on a free port whose behaviour each test scripts. */
export interface ScriptedServer {
  url: string;
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  /** Handshake tokens of every connection so far. */
  tokens: (string | undefined)[];
  close(): Promise<void>;
}

export async function startScriptedServer(onConnection: (socket: ScriptedSocket) => void): Promise<ScriptedServer> {
  const http = createServer();
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http);
  const tokens: (string | undefined)[] = [];
  io.on('connection', (socket) => {
    tokens.push((socket.handshake.auth as { token?: string }).token);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    io,
    tokens,
    close: () => new Promise((resolve) => io.close(() => resolve())),
  };
}
