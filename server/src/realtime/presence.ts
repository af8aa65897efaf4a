import type { Services } from '../services.js';
import type { ForumServer, ForumSocket } from './forum-socket.js';

/** The room of one account's sockets, across nodes (through the Redis adapter). */
function userRoom(login: string): string {
  return `user:${login}`;
}

/** The room of the sockets opened with one token, on this node. */
function tokenRoom(jti: string): string {
  return `token:${jti}`;
}

/** Who is connected: each account's sockets, and the count sent to everyone. */
export interface Presence {
  /** Puts a new socket in its account's room. */
  join(socket: ForumSocket): void;
  close(): void;
}

/**
 * Tracks the sockets of each account and token, so that deleting an
 * account, signing a token out or ending an account's sessions disconnects
 * their sockets on every node, and sends the number of connected
 * sockets (across nodes with Redis) to this node's sockets when it changes.
 */
export function startPresence(io: ForumServer, services: Services, options: { periodMs: number; acrossNodes: boolean }): Presence {
  const disconnectUser = (login: string) => {
    // This node's sockets go at once, whether or not Redis answers; the
    // adapter's request reaches the other nodes (and this one again, harmlessly).
    io.local.in(userRoom(login)).disconnectSockets(true);
    if (options.acrossNodes) io.in(userRoom(login)).disconnectSockets(true);
  };
  services.events.on('userDeleted', disconnectUser);
  services.events.on('userBanned', disconnectUser);
  // Revocations reach every node through their own channel; each node disconnects its own sockets.
  const disconnectToken = (jti: string) => io.local.in(tokenRoom(jti)).disconnectSockets(true);
  const disconnectOlderSessions = (login: string, sessionVersion: number) => {
    for (const socket of io.of('/').sockets.values()) {
      if (socket.data.login === login && socket.data.sessionVersion < sessionVersion) socket.disconnect(true);
    }
  };
  services.events.on('tokenRevoked', disconnectToken);
  services.events.on('sessionsEnded', disconnectOlderSessions);

  let online = -1;
  const timer = setInterval(async () => {
    try {
      const count = options.acrossNodes ? (await io.fetchSockets()).length : io.of('/').sockets.size;
      if (count !== online) {
        online = count;
        io.local.emit('presence', { online });
      }
    } catch {
      // Another node did not answer in time; try again next tick.
    }
  }, options.periodMs).unref();

  return {
    join(socket) {
      if (socket.data.login) void socket.join(userRoom(socket.data.login));
      if (socket.data.jti) void socket.join(tokenRoom(socket.data.jti));
      // Revoked between its handshake and now: the notice found no room to empty.
      if (socket.data.jti && services.revocations.isRevoked(socket.data.jti)) socket.disconnect(true);
    },
    close() {
      clearInterval(timer);
      services.events.off('userDeleted', disconnectUser);
      services.events.off('userBanned', disconnectUser);
      services.events.off('tokenRevoked', disconnectToken);
      services.events.off('sessionsEnded', disconnectOlderSessions);
    },
  };
}
