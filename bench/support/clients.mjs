import { io as connect } from 'socket.io-client';

/**
 * Opens `count` socket.io clients to `url` (WebSocket, no reconnection), 50
 * at a time; with `subscribe`, each subscribes to that topic and waits for
 * its acknowledgement, as the SDK does; each asks for changes of posts in
 * `postpatches` batches, as the SDK does (a bare server ignores it).
 * `timeout`: how long one connection may take (socket.io's default is 20 s).
 */
export async function openClients(url, count, { subscribe, timeout = 20_000 } = {}) {
  const sockets = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, async () => {
      const socket = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout, auth: { batch: 'patches' } });
      await new Promise((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      if (subscribe) {
        const ack = await socket.timeout(60_000).emitWithAck('subscribe', subscribe);
        if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack.error)}`);
      }
      return socket;
    });
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

export function closeClients(sockets) {
  for (const socket of sockets) socket.close();
}
