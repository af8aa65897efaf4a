import type { RevocationBus, RevocationNotice } from '../auth/revocations.js';
import type { Logger } from '../logger.js';
import { closeRedis, connectRedis, type RedisClient } from './connect-redis.js';

const CHANNEL = 'news-forum:revocations';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A notice from the channel, or undefined when it is not one. */
function parseNotice(message: string): RevocationNotice | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const notice = value as Record<string, unknown>;
  if (notice.kind === 'token' && typeof notice.jti === 'string' && UUID.test(notice.jti) && Number.isFinite(notice.exp)) {
    return { kind: 'token', jti: notice.jti, exp: notice.exp as number };
  }
  if (notice.kind === 'sessions' && typeof notice.login === 'string' && Number.isSafeInteger(notice.sessionVersion)) {
    return { kind: 'sessions', login: notice.login, sessionVersion: notice.sessionVersion as number };
  }
  return undefined;
}

/**
 * Revocation notices over Redis pub/sub. `onNotice` gets every notice of
 * the other nodes (and this node's own, harmlessly); `onResubscribed` runs
 * each time the subscription is (re)established, since notices sent while
 * it was down are lost.
 */
export async function startRevocationBus(
  url: string,
  publisher: RedisClient,
  logger: Logger,
  handlers: { onNotice(notice: RevocationNotice): void; onResubscribed(): void },
): Promise<RevocationBus> {
  const subscriber = await connectRedis(url, logger, 'revocations');
  const listener = (message: string) => {
    const notice = parseNotice(message);
    if (notice) handlers.onNotice(notice);
  };
  let subscribed = false;
  const subscribe = async () => {
    // The client subscribes again by itself after a reconnect; only the first time is ours to do.
    if (!subscribed) {
      subscribed = true;
      await subscriber.subscribe(CHANNEL, listener).catch((error: unknown) => {
        subscribed = false;
        throw error;
      });
    }
    handlers.onResubscribed();
  };
  subscriber.on('ready', () => {
    subscribe().catch((error: Error) => logger.warn('cannot subscribe to revocations', { error: error.message }));
  });
  if (subscriber.isReady)
    await subscribe().catch((error: Error) => logger.warn('cannot subscribe to revocations', { error: error.message }));
  return {
    async publish(notice) {
      await publisher.publish(CHANNEL, JSON.stringify(notice));
    },
    async close() {
      await closeRedis(subscriber);
    },
  };
}
