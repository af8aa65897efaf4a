import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** helmet with the node's settings: the security headers of every answer. */
export function securityHeaders(): RequestHandler {
  return helmet({
    // The widget bundle and the API are meant to be used from other origins (CORS decides who).
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    // No upgrade-insecure-requests: a node served over plain http on a LAN address must keep working.
    contentSecurityPolicy: { directives: { 'connect-src': ["'self'", 'ws:', 'wss:'], 'upgrade-insecure-requests': null } },
  });
}

/**
 * The headers `securityHeaders()` sets, as name/value pairs, for answers sent
 * without Express. They depend on nothing in the request, so they are taken
 * once from the middleware itself and cannot drift from it.
 */
export function securityHeaderList(): [string, string][] {
  const headers: [string, string][] = [];
  const res = {
    setHeader(name: string, value: string) {
      headers.push([name, String(value)]);
      return res;
    },
    removeHeader() {},
  };
  let called = false;
  (securityHeaders() as unknown as (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void)(
    { headers: {} } as IncomingMessage,
    res as unknown as ServerResponse,
    (error) => {
      if (error) throw error;
      called = true;
    },
  );
  if (!called) throw new Error('helmet did not finish synchronously');
  return headers;
}
