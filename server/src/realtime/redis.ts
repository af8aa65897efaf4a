import type { RedisClientType } from 'redis';
import type { Namespace, Server } from 'socket.io';
import { backoffDelay, wait } from '../backoff.js';
import type { Logger } from '../logger.js';
import { closeRedis, startClients } from '../redis/connect-redis.js';
import { watchRedis } from '../redis/watch-redis.js';
import { oneWriteFrames } from './one-write-frames.js';

/** The Redis pub/sub pair behind the socket.io adapter. */
export interface RedisLink {
  /** The publishing client, free for plain commands (presence counts). */
  commands: RedisClientType;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Installs @socket.io/redis-adapter. It carries what does not come from the
 * database (disconnecting a deleted account everywhere, presence); database
 * changes are emitted by every node to its own sockets only. The clients
 * reconnect by themselves when Redis comes back.
 */
export async function attachRedis(io: Server, url: string, logger: Logger): Promise<RedisLink> {
  // Loaded here, not at the top: a single node without REDIS_URL never pays for the client.
  const [{ createClient }, { createAdapter }] = await Promise.all([import('redis'), import('@socket.io/redis-adapter')]);
  const options = {
    url,
    // While Redis is away, commands fail at once instead of piling up in memory.
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => backoffDelay(retries, 100, 3000), connectTimeout: 3000 },
  };
  const pub = createClient(options) as RedisClientType;
  const sub = pub.duplicate() as RedisClientType;
  let last = '';
  const warn = (msg: string, error: Error) => {
    if (error.message !== last) logger.warn(msg, { error: error.message });
    last = error.message;
  };
  // The adapter publishes without awaiting (broadcasts, remote disconnects,
  // requests): with Redis away each would be an unhandled rejection that ends the process.
  const publish = pub.publish.bind(pub);
  Object.defineProperty(pub, 'publish', {
    value: (...args: Parameters<typeof publish>) => {
      const sent = publish(...args);
      sent.catch((error: Error) => warn('redis publish failed', error));
      return sent;
    },
  });
  // It subscribes once, at construction, without awaiting either. With Redis
  // away that fails, and node-redis records a channel only once SUBSCRIBE
  // succeeds, so it would never subscribe again by itself: this node would
  // miss every request of the others. Try again each time the client is ready.
  for (const method of ['subscribe', 'pSubscribe'] as const) {
    const subscribe = sub[method].bind(sub) as (...args: unknown[]) => Promise<void>;
    Object.defineProperty(sub, method, {
      value: (...args: unknown[]) => {
        const attempt = (): Promise<void> =>
          subscribe(...args).catch((error: Error) => {
            warn('redis subscribe failed', error);
            sub.once('ready', attempt);
          });
        return attempt();
      },
    });
  }
  for (const [name, client] of [
    ['pub', pub],
    ['sub', sub],
  ] as const) {
    client.on('error', (error: Error) => {
      // The client retries on its own; log each distinct failure once.
      if (error.message !== last) logger.warn('redis error', { client: name, error: error.message });
      last = error.message;
    });
    client.on('ready', () => {
      last = '';
    });
  }
  // Start even while Redis is down: readiness reports it and the clients keep retrying.
  await startClients([pub, sub], (error) => logger.warn('redis connect failed', { error: error.message }));
  const redisAdapter = createAdapter(pub, sub, { requestsTimeout: 2000 });
  io.adapter(function OneWriteRedisAdapter(nsp: Namespace) {
    return oneWriteFrames(redisAdapter(nsp));
  });
  // The subscriber only listens: when a hung Redis answers again, what it publishes arrives on the same connection.
  watchRedis(pub, logger, 'pub');
  return {
    commands: pub,
    async ping() {
      if (!pub.isReady || !sub.isReady) throw new Error('redis is not connected');
      await Promise.race([
        pub.ping(),
        wait(1000).then(() => {
          throw new Error('redis ping timed out');
        }),
      ]);
    },
    async close() {
      // quit() waits for a reconnecting client forever: close with a bound, then drop.
      await Promise.all([closeRedis(pub), closeRedis(sub)]);
    },
  };
}
