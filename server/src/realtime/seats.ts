import { callerOf } from '../auth/caller.js';
import { banHolds } from '../moderation/ban.js';
import { isModerator } from '../moderation/visibility.js';
import type { Services } from '../services.js';
import type { UserRecord } from '../store/store.js';
import type { ForumServer, ForumSocket } from './forum-socket.js';

/** Accounts asked for together: SqlStore reads those asked for in one turn with one statement (up to 500). */
const ACCOUNTS_PER_READ = 500;

/**
 * Disconnects a signed-in socket that its account, as read now, would not
 * seat as its handshake did: the account is gone (or its login names another
 * one), its sessions were ended, a ban began, or it became or stopped being a
 * moderator. This is what the live events do at once; the client reconnects
 * and is seated as the account is now.
 */
export function reseat(socket: ForumSocket, user: UserRecord | null): void {
  const { token, moderator, banned } = socket.data;
  if (!token) return;
  try {
    const caller = callerOf(token, user);
    if (isModerator(caller.scopes) !== moderator || (banHolds(caller.ban) && !banned)) socket.disconnect(true);
  } catch {
    socket.disconnect(true);
  }
}

/**
 * Reseats every signed-in socket of this node against the store, reading
 * each account once. Notices of other nodes travel through Redis and are
 * lost while it is away; the database is not.
 */
export async function reseatAll(io: ForumServer, services: Services): Promise<void> {
  const byLogin = new Map<string, ForumSocket[]>();
  for (const socket of io.of('/').sockets.values()) {
    const { login } = socket.data;
    if (login === undefined) continue;
    const sockets = byLogin.get(login);
    if (sockets) sockets.push(socket);
    else byLogin.set(login, [socket]);
  }
  const logins = [...byLogin.keys()];
  for (let start = 0; start < logins.length; start += ACCOUNTS_PER_READ) {
    const batch = logins.slice(start, start + ACCOUNTS_PER_READ);
    // An account not read (the database restarting) keeps its sockets as they are, rather than every socket
    // of a node reconnecting into the same outage; the next check reads it again.
    const users = await Promise.all(batch.map((login) => services.store.getUser(login).catch(() => undefined)));
    batch.forEach((login, n) => {
      const user = users[n];
      if (user === undefined) return;
      for (const socket of byLogin.get(login) ?? []) if (socket.connected) reseat(socket, user);
    });
  }
}
