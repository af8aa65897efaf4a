import { Agent as HttpAgent } from 'node:http';
import { createClient, type NewsForumClient, type SocketClientOptions } from '@news-forum/sdk';
import { Agent, fetch as undiciFetch } from 'undici';

export type Transport = 'websocket' | 'polling';

/**
 * A real SDK client whose every connection (REST and socket.io) leaves from
 * `localAddress`, so nginx's `hash $remote_addr` sees a distinct client.
 */
export function forumClientFrom(
  baseUrl: string,
  localAddress: string,
  transport: Transport,
  options: { maxRetries?: number; ackTimeoutMs?: number; socket?: SocketClientOptions } = {},
): NewsForumClient & { dispose(): Promise<void> } {
  const dispatcher = new Agent({ localAddress });
  // No keep-alive for long-polling: a kept-alive connection to an nginx worker that a reload retired
  // can leave Node's XHR polling waiting until socket.io's ping timeout (45 s).
  const agent = new HttpAgent({ localAddress });
  // engine.io-client passes `localAddress` to ws and `agent` to its XHR in Node; its types name neither as such.
  const socket = (transport === 'websocket'
    ? { transports: ['websocket'], localAddress }
    : { transports: ['polling'], agent }) as unknown as SocketClientOptions;
  Object.assign(socket, options.socket);
  const client = createClient({
    baseUrl,
    fetch: ((input: string | URL, init?: RequestInit) =>
      undiciFetch(input as string, { ...(init as object), dispatcher })) as unknown as typeof fetch,
    socket,
    maxRetries: options.maxRetries ?? 2,
    ...(options.ackTimeoutMs !== undefined && { ackTimeoutMs: options.ackTimeoutMs }),
  });
  return Object.assign(client, {
    async dispose() {
      client.close();
      agent.destroy();
      await dispatcher.close();
    },
  });
}
