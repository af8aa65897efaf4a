import type { RequestHandler } from 'express';
import type { Config } from '../config/config.js';
import { isSameOrigin, originAccess } from '../policy/origin.js';
import { ProblemError } from '../problem/problem-error.js';

const READ_METHODS = new Set(['GET', 'HEAD']);
const ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key';
const EXPOSE_HEADERS = 'Location, Retry-After, X-Request-Id, Idempotent-Replayed, RateLimit';

/**
 * The CORS headers of a GET or HEAD from `origin` (after `Vary: Origin`),
 * as the middleware below sets them; undefined for a same-origin request.
 */
export function readCorsHeaders(origin: string | undefined, host: string | undefined, config: Config): [string, string][] | undefined {
  if (origin === undefined || isSameOrigin(origin, host)) return undefined;
  const access = originAccess(origin, config);
  if (access === 'none') return [];
  return [
    ['Access-Control-Allow-Origin', access === 'all' ? origin : '*'],
    ['Access-Control-Expose-Headers', EXPOSE_HEADERS],
  ];
}

/**
 * CORS from the CORS_ORIGINS allowlist. Listed origins may do everything;
 * `*` lets any origin read. Writes carrying another Origin are refused
 * outright, not only hidden from the page.
 */
export function cors(config: Config): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined || isSameOrigin(origin, req.headers.host)) return next();
    res.vary('Origin');
    const access = originAccess(origin, config);
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    const method = preflight ? String(req.headers['access-control-request-method']).toUpperCase() : req.method;
    const allowed = access === 'all' || (access === 'read' && READ_METHODS.has(method));
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', access === 'all' ? origin : '*');
      res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    }
    if (preflight) {
      if (allowed) {
        res.setHeader('Access-Control-Allow-Methods', access === 'all' ? 'GET, HEAD, POST, PUT, DELETE' : 'GET, HEAD');
        res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.status(204).end();
      return;
    }
    if (!allowed && !READ_METHODS.has(method)) return next(new ProblemError('forbidden', `Origin ${origin} may not write here`));
    next();
  };
}
