import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import proxyAddr from 'proxy-addr';
import type { Config } from '../config/config.js';
import { limitKey } from './client-address.js';

/** How long a client may take to send a request's headers, and the whole request. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Caps the open connections of one peer address (MAX_CONNECTIONS_PER_IP),
 * so that requests that never finish cannot take every descriptor, and
 * gives requests seconds, not minutes, to arrive. Peers TRUST_PROXY names
 * carry many clients on their connections and are not capped: the proxy's
 * own limits apply to each client.
 */
export function limitConnections(server: Server, config: Pick<Config, 'maxConnectionsPerIp' | 'trustProxy'>): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  // Node looks for requests past those timeouts every 30 s by default; read when listening starts.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 1_000;
  const { trustProxy } = config;
  // A hop count trusts whatever peer is nearest, as Express does.
  const trusted =
    trustProxy === false ? () => false : typeof trustProxy === 'number' ? () => trustProxy > 0 : proxyAddr.compile(trustProxy);
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress;
    if (peer === undefined || trusted(peer, 0)) return;
    const address = limitKey(peer);
    const count = (open.get(address) ?? 0) + 1;
    if (count > config.maxConnectionsPerIp) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
