import type { ForumSocket } from './forum-socket.js';

/** setTimeout's longest delay; a longer wait is taken in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Disconnects a signed-in socket when its token expires. The handshake is
 * the only place a socket's token is checked, so without this a socket would
 * keep its account's identity (and its rooms) for as long as it stays open.
 * The client reconnects, anonymously or with a fresh token.
 */
export function endWithToken(socket: ForumSocket): void {
  const expiresAt = socket.data.expiresAt;
  if (expiresAt === undefined) return;
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) {
      socket.disconnect(true);
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_DELAY_MS)).unref();
  };
  arm();
  socket.once('disconnect', () => clearTimeout(timer));
}
