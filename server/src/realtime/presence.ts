import type { Services } from '../services.js';
import type { ForumServer, ForumSocket } from './forum-socket.js';

/** The room of one account's sockets, across nodes (through the Redis adapter). */
function userRoom(login: string): string {
  return `user:${login}`;
}

/** Who is connected: each account's sockets, and the count sent to everyone. */
export interface Presence {
  /** Puts a new socket in its account's room. */
  join(socket: ForumSocket): void;
  close(): void;
}

/**
 * Tracks the sockets of each account, so that deleting an account
 * disconnects its sockets on every node, and sends the number of connected
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
    },
    close() {
      clearInterval(timer);
      services.events.off('userDeleted', disconnectUser);
    },
  };
}
