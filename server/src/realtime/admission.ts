import type { IncomingMessage } from 'node:http';
import { clientAddress, limitKey } from '../policy/client-address.js';
import { isSameOrigin, originAccess } from '../policy/origin.js';
import type { Services } from '../services.js';

/**
 * Decides which socket.io requests get in. CORS does not cover WebSockets,
 * so Origin is checked here: no Origin (not a browser), the server's own, or
 * one CORS_ORIGINS allows (sockets only read, so `*` lets any origin in).
 * socket.io answers before Express, so new connections also count against
 * the per-IP request limit here.
 */
export function admitRequest(services: Pick<Services, 'config' | 'limits'>) {
  const addressOf = clientAddress(services.config);
  return (req: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void): void => {
    const origin = req.headers.origin;
    if (origin !== undefined && !isSameOrigin(origin, req.headers.host) && originAccess(origin, services.config) === 'none') {
      callback('Origin not allowed', false);
      return;
    }
    // Only handshakes: the later polling requests of an admitted session carry its sid.
    const handshake = !new URL(req.url ?? '/', 'http://x').searchParams.has('sid');
    if (!handshake) {
      callback(null, true);
      return;
    }
    services.limits.allow('requestsPerIp', limitKey(addressOf(req))).then(
      (allowed) => (allowed ? callback(null, true) : callback('Too many requests', false)),
      () => callback('Service unavailable', false),
    );
  };
}
