import type { Server as HttpServer } from 'node:http';
import type { ClientToServerEvents, ServerToClientEvents, SocketAuth, Topic } from '@news-forum/sdk';
import { Server, type Socket } from 'socket.io';
import { resolveCaller } from '../auth/caller.js';
import { clientAddress } from '../http/client-address.js';
import { isProblemError, ProblemError } from '../problem/problem-error.js';
import type { Services } from '../services.js';
import { FeedRelay } from './feed-relay.js';
import { admitRequest } from './admission.js';
import { attachRedis, type RedisLink } from './redis.js';
import { commentsRoom, POSTS_ROOM, roomOf, userRoom } from './rooms.js';
import { parseTopic } from './topic.js';

interface SocketData {
  login: string | undefined;
  /** Client address, for limits shared with HTTP. */
  address: string;
}

type ForumServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type ForumSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface GatewayOptions {
  /** Window in which changes to one document are coalesced; default 50 ms. */
  coalesceMs?: number;
  /** How often presence counts are sent; default 10 s. */
  presenceMs?: number;
}

/** The live side of a node. */
export interface Gateway {
  io: ForumServer;
  /** Readiness checks: the change feeds, and Redis when configured. */
  readiness: Map<string, () => Promise<void>>;
  close(): Promise<void>;
}

const COMMENT_SNAPSHOT_LIMIT = 200;
const MAX_PACKET_BYTES = 16 * 1024;

function problemOf(error: unknown) {
  const problem = isProblemError(error) ? error : new ProblemError('internal');
  return { type: problem.type, title: problem.title, status: problem.status, ...(problem.detail && { detail: problem.detail }) };
}

async function snapshot(services: Services, topic: Topic) {
  if (topic.topic === 'posts') {
    const page = await services.store.listPosts(topic.sort ?? 'hot', { limit: topic.limit ?? 30 });
    return { ok: true as const, topic: 'posts' as const, snapshot: page.items };
  }
  if (!(await services.store.getPost(topic.postId))) throw new ProblemError('not-found', `No post ${topic.postId}`);
  const page = await services.store.listComments(topic.postId, { limit: COMMENT_SNAPSHOT_LIMIT });
  return { ok: true as const, topic: 'comments' as const, postId: topic.postId, snapshot: page.items };
}

function onConnection(socket: ForumSocket, services: Services): void {
  if (socket.data.login) void socket.join(userRoom(socket.data.login));
  // Each event may read the database: count it per socket and against the client's HTTP budget.
  const limited = () => !services.limits.allow('socketEventsPerSocket', socket.id) || !services.limits.allow('requestsPerIp', socket.data.address);

  socket.on('subscribe', async (raw, ack) => {
    if (typeof ack !== 'function') return;
    if (limited()) return ack({ ok: false, error: problemOf(new ProblemError('rate-limited', 'Too many subscriptions')) });
    const topic = parseTopic(raw);
    if (!topic) return ack({ ok: false, error: problemOf(new ProblemError('bad-request', 'Unknown or malformed topic')) });
    const room = roomOf(topic);
    // Views of one socket share the posts room: a failed snapshot must not drop the others.
    const wasIn = socket.rooms.has(room);
    try {
      // Join first, then read: every change after the snapshot reaches this socket.
      await socket.join(room);
      ack(await snapshot(services, topic));
    } catch (error) {
      if (!wasIn) await socket.leave(room);
      ack({ ok: false, error: problemOf(error) });
    }
  });

  socket.on('unsubscribe', async (raw, ack) => {
    if (typeof ack !== 'function') return;
    if (limited()) return ack({ ok: false, error: problemOf(new ProblemError('rate-limited', 'Too many requests')) });
    const topic = parseTopic(raw);
    if (!topic) return ack({ ok: false, error: problemOf(new ProblemError('bad-request', 'Unknown or malformed topic')) });
    await socket.leave(roomOf(topic));
    ack({ ok: true });
  });
}

/**
 * Attaches socket.io to the node's HTTP server: handshake auth, Origin
 * check, subscriptions with snapshots, the change feeds relayed to this
 * node's own sockets, and (with REDIS_URL) the Redis adapter.
 */
export async function attachGateway(http: HttpServer, services: Services, options: GatewayOptions = {}): Promise<Gateway> {
  const { config, logger } = services;
  const io: ForumServer = new Server(http, {
    serveClient: false,
    maxHttpBufferSize: MAX_PACKET_BYTES,
    allowRequest: admitRequest(services),
    cors: { origin: (origin, callback) => callback(null, origin ?? false) },
  });
  const readiness = new Map<string, () => Promise<void>>();
  let redis: RedisLink | undefined;
  if (config.redisUrl) {
    redis = await attachRedis(io, config.redisUrl, logger);
    readiness.set('redis', () => redis!.ping());
  }

  const addressOf = clientAddress(config);
  io.use(async (socket, next) => {
    socket.data.address = addressOf(socket.request);
    const { token } = (socket.handshake.auth ?? {}) as SocketAuth;
    if (token === undefined || token === null || token === '') {
      socket.data.login = undefined;
      return next();
    }
    try {
      if (typeof token !== 'string') throw new ProblemError('unauthorized', 'The token must be a string');
      socket.data.login = (await resolveCaller(token, services)).login;
      next();
    } catch (error) {
      const problem = problemOf(error);
      next(Object.assign(new Error(problem.detail ?? problem.title), { data: problem }));
    }
  });
  io.on('connection', (socket) => onConnection(socket, services));

  // Only this node's sockets: every node reads the feed itself, so each client gets each change once.
  const relays = (['posts', 'comments'] as const).map(
    (table) =>
      new FeedRelay(
        services.store,
        table,
        {
          posts: (change) => io.local.to(POSTS_ROOM).emit('poststream', change),
          comments: (postId, change) => io.local.to(commentsRoom(postId)).emit('commentstream', change),
          reset: (resetTable) => {
            if (resetTable === 'posts') io.local.to(POSTS_ROOM).emit('resync', { topic: 'posts' });
            else {
              for (const room of io.of('/').adapter.rooms.keys()) {
                if (room.startsWith('comments:')) io.local.to(room).emit('resync', { topic: 'comments', postId: room.slice('comments:'.length) });
              }
            }
          },
        },
        { coalesceMs: options.coalesceMs ?? 50, logger },
      ),
  );
  readiness.set('feed', async () => {
    if (!relays.every((relay) => relay.healthy)) throw new Error('change feed is reopening');
  });

  const disconnectUser = (login: string) => {
    // Through the adapter this reaches the account's sockets on every node.
    io.in(userRoom(login)).disconnectSockets(true);
  };
  services.events.on('userDeleted', disconnectUser);

  let online = -1;
  const presence = setInterval(async () => {
    try {
      const count = redis ? (await io.fetchSockets()).length : io.of('/').sockets.size;
      if (count !== online) io.local.emit('presence', { online: (online = count) });
    } catch {
      // Another node did not answer in time; try again next tick.
    }
  }, options.presenceMs ?? 10_000).unref();

  return {
    io,
    readiness,
    async close() {
      clearInterval(presence);
      services.events.off('userDeleted', disconnectUser);
      await Promise.all(relays.map((relay) => relay.close()));
      io.local.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await redis?.close();
    },
  };
}
