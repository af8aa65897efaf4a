import type { RedisClientType } from 'redis';
import { backoffDelay, wait } from '../backoff.js';
import type { Logger } from '../logger.js';
import { unwatchRedis, watchRedis } from './watch-redis.js';

/** A node-redis client as this server uses it. */
export type RedisClient = RedisClientType;

/**
 * A Redis client that starts even while Redis is down and keeps retrying.
 * Commands fail at once while it is away (no offline queue), so callers fall
 * back instead of piling up in memory. Each distinct error is logged once.
 * `watch`: a Redis that hangs is noticed within seconds (see watchRedis); not
 * for a subscriber. Loaded only when REDIS_URL is set.
 */
export async function connectRedis(url: string, logger: Logger, name: string, options: { watch?: boolean } = {}): Promise<RedisClient> {
  const { createClient } = await import('redis');
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => backoffDelay(retries, 100, 3000), connectTimeout: 3000 },
  }) as RedisClient;
  let last = '';
  client.on('error', (error: Error) => {
    if (error.message !== last) logger.warn('redis error', { client: name, error: error.message });
    last = error.message;
  });
  client.on('ready', () => {
    last = '';
  });
  await startClients([client], (error) => logger.warn('redis connect failed', { client: name, error: error.message }));
  if (options.watch) watchRedis(client, logger, name);
  return client;
}

/**
 * Connects `clients` and waits until they are connected, 3 s at most, so a
 * node that starts with Redis up shares its limits and adapter from its
 * first request. A Redis that refuses is known down at once: only one that
 * does not answer is waited for. The clients go on retrying either way;
 * their `error` listeners must be in place.
 */
export async function startClients(clients: RedisClient[], onFailure: (error: Error) => void): Promise<void> {
  const connected = Promise.all(clients.map((client) => client.connect())).then(
    () => undefined,
    (error: Error) => onFailure(error),
  );
  const refused = new Promise<void>((resolve) => {
    for (const client of clients) client.once('error', () => resolve());
  });
  await Promise.race([connected, refused, wait(3000)]);
}

/** Closes a client whether or not Redis answers. */
export async function closeRedis(client: RedisClient): Promise<void> {
  unwatchRedis(client);
  if (!client.isOpen) return;
  await Promise.race([client.close().catch(() => undefined), wait(1000)]);
  if (client.isOpen) client.destroy();
}
