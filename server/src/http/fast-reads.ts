import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { chargeAnswer } from '../policy/answer-cost.js';
import { clientAddress, limitKey } from '../policy/client-address.js';
import { cachedAnswer } from '../reads/cached-response.js';
import type { Services } from '../services.js';
import { readCorsHeaders } from './cors.js';
import { securityHeaderList } from './security-headers.js';

/**
 * A request listener placed before Express that answers anonymous GETs and
 * HEADs of pages memory holds (see CachedRoutes) with what Express would
 * send: request id, security headers, CORS, the per-IP rate limit, ETag/304,
 * Vary and the precompressed body. It returns false for everything else,
 * which Express then handles (at once, or once the rate limit, which may
 * be counted in Redis, has answered). Express's pipeline (a dozen middlewares and the
 * router) costs more per request than such an answer itself.
 */
/** Answers a request and resolves true, or returns (or resolves) false for Express to answer it. */
export type FastReads = (req: IncomingMessage, res: ServerResponse) => false | Promise<boolean>;

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** The node's request listener: the fast path, and Express for whatever it leaves; `answered` counts the former. */
export function beforeExpress(fast: FastReads, app: Listener, answered?: () => void): Listener {
  return (req, res) => {
    const handled = fast(req, res);
    if (handled === false) app(req, res);
    else
      handled.then(
        (done) => (done ? answered?.() : app(req, res)),
        () => app(req, res),
      );
  };
}

export function fastReads(services: Services): FastReads {
  const { config, limits, logger, reads } = services;
  const security = securityHeaderList();
  const addressOf = clientAddress(config);
  return (req, res) => {
    const page = reads.routes.page(req.method, req.url, req.headers);
    const answer = page && cachedAnswer(req, page.body);
    if (!page || !answer) return false;
    const ip = limitKey(addressOf(req));
    return limits.allow('requestsPerIp', ip).then(async (allowed) => {
      if (!allowed) {
        // Express counts it again and answers the 429 problem.
        await limits.refund('requestsPerIp', ip);
        return false;
      }
      const started = process.hrtime.bigint();
      const requestId = randomUUID();
      res.setHeader('X-Request-Id', requestId);
      for (const [name, value] of security) res.setHeader(name, value);
      const cors = readCorsHeaders(req.headers.origin, req.headers.host, config);
      // As the CORS and compression middlewares add it; a 304 too, as its 200 would (RFC 9110, 15.4.5).
      res.setHeader('Vary', cors ? 'Origin, Accept-Encoding' : 'Accept-Encoding');
      for (const [name, value] of cors ?? []) res.setHeader(name, value);
      for (const [name, value] of answer.headers) res.setHeader(name, value);
      res.statusCode = answer.status;
      res.end(answer.payload);
      if (answer.status === 200) chargeAnswer(limits, ip, page.body.json.length);
      logger.info('request', {
        requestId,
        method: req.method,
        path: req.url?.split('?')[0],
        status: answer.status,
        operationId: page.operationId,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
      return true;
    });
  };
}
