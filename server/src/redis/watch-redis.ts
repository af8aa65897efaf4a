import { wait } from '../backoff.js';
import type { Logger } from '../logger.js';
import type { RedisClient } from './connect-redis.js';

/** How often a ready client is asked for a PING, and how long it has to answer. */
const PING_EVERY_MS = 1_000;
const ANSWER_WITHIN_MS = 1_000;

const watched = new WeakMap<RedisClient, () => void>();

/**
 * Drops a client whose Redis stopped answering while its connection stayed
 * open (a stopped process, a machine cut off without a reset): such a client
 * still reads as ready, and every command waits for an answer that does not
 * come. A PING each second that is not answered within a second makes it
 * close and connect again. It reads as not ready until Redis answers, so rate
 * limits count in this node's memory and commands fail at once meanwhile.
 * Not for a client in subscriber mode, which only listens.
 */
export function watchRedis(client: RedisClient, logger: Logger, name: string): void {
  let pinging = false;
  const unwatched = new AbortController();
  const check = async () => {
    // A PING that fails counts as an answer: a client that sees errors reconnects by itself.
    const answered = await Promise.race([
      client.ping().then(
        () => true,
        () => true,
      ),
      wait(ANSWER_WITHIN_MS, unwatched.signal).then(() => false),
    ]);
    if (answered || !client.isReady || unwatched.signal.aborted) return;
    logger.warn('redis does not answer: connecting again', { client: name });
    client.destroy();
    // While Redis hangs the new connection waits in its handshake, not ready; it becomes ready when Redis answers.
    client.connect().catch((error: Error) => logger.warn('redis connect failed', { client: name, error: error.message }));
  };
  const timer = setInterval(() => {
    if (pinging || !client.isReady) return;
    pinging = true;
    void check().finally(() => {
      pinging = false;
    });
  }, PING_EVERY_MS);
  timer.unref();
  watched.set(client, () => {
    clearInterval(timer);
    unwatched.abort();
  });
}

/** Stops watching a client (before closing it). */
export function unwatchRedis(client: RedisClient): void {
  watched.get(client)?.();
  watched.delete(client);
}
