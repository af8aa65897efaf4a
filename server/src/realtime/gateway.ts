import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Services } from '../services.js';
import { admitRequest } from './admission.js';
import { DEFAULT_UNSENT_LIMITS, limitUnsent, type UnsentLimits } from './backpressure.js';
import type { ForumServer } from './forum-socket.js';
import { handshake } from './handshake.js';
import { relayNotifications } from './notifications.js';
import { OneWriteAdapter } from './one-write-frames.js';
import { startPresence } from './presence.js';
import { localShare, redisShare } from './presence-share.js';
import { attachRedis, type RedisLink } from './redis.js';
import { startRelays } from './relays.js';
import { handleSubscriptions } from './subscriptions.js';
import { endWithToken } from './token-expiry.js';
import { UnsentLedger } from './unsent-ledger.js';

export interface GatewayOptions {
  /** Window in which changes to one document are coalesced; default 50 ms. */
  coalesceMs?: number;
  /** The longest window in which changes of posts go to batching sockets as one `poststreams` or `postdeltas` message; default 50 ms. */
  batchMs?: number;
  /** A batch window lasts this many times what the send that opened it took (up to `batchMs`); default BATCH_COST_FACTOR. */
  batchCostFactor?: number;
  /** How often presence counts are shared and sent; default PRESENCE_PERIOD. */
  presenceMs?: number;
  /** What one socket may hold unsent before it is disconnected; DEFAULT_UNSENT_LIMITS for what is not given. */
  unsent?: Partial<UnsentLimits>;
}

/** The live side of a node. */
export interface Gateway {
  io: ForumServer;
  /** Readiness checks: the change feeds, and Redis when configured. */
  readiness: Map<string, () => Promise<void>>;
  close(): Promise<void>;
}

const MAX_PACKET_BYTES = 16 * 1024;
/** On a loaded node, sending changes of posts to batching sockets takes at most half its time; see BatchWindow. */
export const BATCH_COST_FACTOR = 1;

/**
 * Attaches socket.io to the node's HTTP server: admission (Origin, rate),
 * handshake auth, subscriptions with snapshots, the change feeds relayed to
 * this node's own sockets, presence, and (with REDIS_URL) the Redis adapter.
 */
export async function attachGateway(http: HttpServer, services: Services, options: GatewayOptions = {}): Promise<Gateway> {
  const io: ForumServer = new Server(http, {
    serveClient: false,
    maxHttpBufferSize: MAX_PACKET_BYTES,
    allowRequest: admitRequest(services),
    cors: { origin: (origin, callback) => callback(null, origin ?? false) },
    adapter: OneWriteAdapter,
  });
  const readiness = new Map<string, () => Promise<void>>();
  let redis: RedisLink | undefined;
  if (services.config.redisUrl) {
    const link = await attachRedis(io, services.config.redisUrl, services.logger);
    readiness.set('redis', () => link.ping());
    redis = link;
  }
  const periodMs = options.presenceMs ?? services.config.presencePeriodMs;
  const share = redis ? redisShare(redis.commands, services.config.instanceName, periodMs) : localShare;
  const presence = startPresence(io, services, share, { periodMs, acrossNodes: redis !== undefined });
  const stopNotifications = relayNotifications(io, services);
  io.use(handshake(services));
  const relays = startRelays(io, services, {
    coalesceMs: options.coalesceMs ?? 50,
    batch: { maxMs: options.batchMs ?? 50, costFactor: options.batchCostFactor ?? BATCH_COST_FACTOR },
  });
  const unsent = { ...DEFAULT_UNSENT_LIMITS, ...options.unsent };
  const ledger = new UnsentLedger();
  io.on('connection', (socket) => {
    presence.join(socket);
    endWithToken(socket);
    handleSubscriptions(socket, services, relays, { limits: unsent, ledger });
  });
  const stopLimit = limitUnsent(io, unsent, ledger);
  readiness.set('feed', () => relays.ready());

  return {
    io,
    readiness,
    async close() {
      stopLimit();
      stopNotifications();
      await presence.close();
      await relays.close();
      io.local.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await redis?.close();
    },
  };
}
