/**
 * Whether a JWT's `exp` has passed. The payload is read, not verified: the
 * server verifies; this only keeps the live socket from offering a token the
 * server would refuse. The server disconnects a socket when its token expires,
 * and the socket then reconnects without it, as an anonymous reader. A token
 * that cannot be read counts as not expired: the server decides.
 */
export function tokenExpired(token: string, now = Date.now()): boolean {
  const payload = token.split('.')[1];
  if (payload === undefined) return false;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const { exp } = JSON.parse(json) as { exp?: unknown };
    return typeof exp === 'number' && exp * 1000 <= now;
  } catch {
    return false;
  }
}
