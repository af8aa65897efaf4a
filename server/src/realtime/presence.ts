import type { Services } from '../services.js';
import type { ForumServer, ForumSocket } from './forum-socket.js';
import type { PresenceShare } from './presence-share.js';
import { startCounts } from './reader-counts.js';
import { reseat, reseatAll } from './seats.js';

/** The room of one account's sockets, across nodes (through the Redis adapter). */
export function userRoom(login: string): string {
  return `user:${login}`;
}

/** The room of the sockets opened with one token, on this node. */
function tokenRoom(jti: string): string {
  return `token:${jti}`;
}

/** Who is connected: each account's sockets, and the counts of readers. */
export interface Presence {
  /** Puts a new socket in its account's room. */
  join(socket: ForumSocket): void;
  /** Stops counting and withdraws this node's counts. */
  close(): Promise<void>;
}

/**
 * Tracks the sockets of each account and token, so that deleting an
 * account, banning it, changing its scopes, signing a token out or ending an
 * account's sessions disconnects their sockets on every node, also when the
 * notice was lost (see reseatAll); and counts readers (see startCounts).
 */
export function startPresence(
  io: ForumServer,
  services: Services,
  share: PresenceShare,
  options: { periodMs: number; acrossNodes: boolean },
): Presence {
  const disconnectUser = (login: string) => {
    // This node's sockets go at once, whether or not Redis answers; the
    // adapter's request reaches the other nodes (and this one again, harmlessly).
    io.local.in(userRoom(login)).disconnectSockets(true);
    if (options.acrossNodes) io.in(userRoom(login)).disconnectSockets(true);
  };
  services.events.on('userDeleted', disconnectUser);
  services.events.on('userBanned', disconnectUser);
  // A socket's moderator room is chosen at its handshake: a new one gets the account's scopes as they are now.
  services.events.on('scopesChanged', disconnectUser);
  // Revocations reach every node through their own channel; each node disconnects its own sockets.
  const disconnectToken = (jti: string) => io.local.in(tokenRoom(jti)).disconnectSockets(true);
  const disconnectOlderSessions = (login: string, sessionVersion: number) => {
    for (const socket of io.of('/').sockets.values()) {
      if (socket.data.login === login && (socket.data.token?.sv ?? 0) < sessionVersion) socket.disconnect(true);
    }
  };
  services.events.on('tokenRevoked', disconnectToken);
  services.events.on('sessionsEnded', disconnectOlderSessions);

  const counts = startCounts(io, share, options.periodMs);
  // Reloading the revoked tokens means notices may have been lost (Redis away): deletions, bans and scope
  // changes travel the same way, so this node's sockets are checked against the store too.
  let reseating = false;
  const reseatLost = () => {
    if (reseating) return;
    reseating = true;
    void reseatAll(io, services).finally(() => {
      reseating = false;
    });
  };
  services.events.on('revocationsReloaded', reseatLost);

  return {
    join(socket) {
      if (socket.data.login) void socket.join(userRoom(socket.data.login));
      if (socket.data.token) void socket.join(tokenRoom(socket.data.token.jti));
      // Revoked between its handshake and now: the notice found no room to empty.
      if (socket.data.token && services.revocations.isRevoked(socket.data.token.jti)) socket.disconnect(true);
      // So may have been the account's deletion, its ended sessions or a change of its scopes, on any node:
      // read again now that the rooms would be emptied of it. Not read (the database restarting): it stays as
      // its handshake seated it, rather than every socket of a node reconnecting into the same outage.
      else if (socket.data.login) {
        void services.store.getUser(socket.data.login).then(
          (user) => reseat(socket, user),
          () => undefined,
        );
      }
    },
    async close() {
      await counts.close();
      services.events.off('userDeleted', disconnectUser);
      services.events.off('userBanned', disconnectUser);
      services.events.off('scopesChanged', disconnectUser);
      services.events.off('tokenRevoked', disconnectToken);
      services.events.off('sessionsEnded', disconnectOlderSessions);
      services.events.off('revocationsReloaded', reseatLost);
    },
  };
}
