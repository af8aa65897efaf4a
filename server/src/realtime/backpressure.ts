import type { ForumServer, ForumSocket } from './forum-socket.js';

/** What one socket may have queued and not yet sent, by default: a few dozen of the largest changes. */
export const DEFAULT_MAX_UNSENT_BYTES = 4 * 1024 * 1024;
const CHECK_MS = 500;

interface EnginePacket {
  data?: string | Buffer | ArrayBuffer;
}

interface EngineConnection {
  writeBuffer?: EnginePacket[];
  transport?: { socket?: { bufferedAmount?: number; terminate?: () => void } };
}

/** Bytes queued for a socket: engine.io's write buffer, and what its WebSocket has not handed to the kernel. */
export function unsentBytes(socket: ForumSocket): number {
  const conn = socket.conn as unknown as EngineConnection;
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer ?? []) {
    const { data } = packet;
    bytes += typeof data === 'string' ? data.length : (data?.byteLength ?? 0);
  }
  return bytes;
}

/**
 * Disconnects the sockets of this node whose unsent data passes `maxBytes`:
 * a client that stops reading would otherwise make the server hold every
 * change for it. It resyncs when it connects again. Returns the stop function.
 */
export function limitUnsent(io: ForumServer, maxBytes: number): () => void {
  const timer = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) {
      if (unsentBytes(socket) <= maxBytes) continue;
      const transport = (socket.conn as unknown as EngineConnection).transport;
      socket.disconnect(true);
      // A graceful close would queue behind what is unsent: drop it now.
      transport?.socket?.terminate?.();
    }
  }, CHECK_MS).unref();
  return () => clearInterval(timer);
}
