import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/config.js';
import { isSameOrigin, originAccess } from '../http/cors.js';

/**
 * CORS does not cover WebSockets, so sockets check Origin themselves: no
 * Origin (not a browser), the server's own, or one CORS_ORIGINS allows.
 * Sockets only read, so `*` lets any origin in.
 */
export function allowOrigin(config: Config) {
  return (req: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void): void => {
    const origin = req.headers.origin;
    const allowed = origin === undefined || isSameOrigin(origin, req.headers.host) || originAccess(origin, config) !== 'none';
    callback(allowed ? null : 'Origin not allowed', allowed);
  };
}
