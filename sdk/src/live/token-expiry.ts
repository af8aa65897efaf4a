/**
 * The claims of a JWT, read, not verified: the server verifies; the client
 * only reads what it needs to know before asking. Undefined when the token
 * cannot be read.
 */
export function tokenClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    return claims !== null && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a JWT's `exp` has passed. This only keeps the live socket from
 * offering a token the server would refuse. The server disconnects a socket
 * when its token expires, and the socket then reconnects without it, as an
 * anonymous reader. A token that cannot be read counts as not expired: the
 * server decides.
 */
export function tokenExpired(token: string, now = Date.now()): boolean {
  const exp = tokenClaims(token)?.exp;
  return typeof exp === 'number' && exp * 1000 <= now;
}
