import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientAddress } from '../policy/client-address.js';
import { cachedAnswer } from '../reads/cached-response.js';
import type { Services } from '../services.js';
import { readCorsHeaders } from './cors.js';
import { securityHeaderList } from './security-headers.js';

/**
 * A request listener placed before Express that answers anonymous GETs and
 * HEADs of pages memory holds (see CachedRoutes) with what Express would
 * send: request id, security headers, CORS, the per-IP rate limit, ETag/304,
 * Vary and the precompressed body. It returns false for everything else,
 * which Express then handles. Express's pipeline (a dozen middlewares and the
 * router) costs more per request than such an answer itself.
 */
export function fastReads(services: Services): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { config, limits, logger, reads } = services;
  const security = securityHeaderList();
  const addressOf = clientAddress(config);
  return (req, res) => {
    const page = reads.routes.page(req.method, req.url, req.headers.authorization);
    const answer = page && cachedAnswer(req, page.body);
    if (!page || !answer) return false;
    const ip = addressOf(req);
    if (!limits.allow('requestsPerIp', ip)) {
      // Express counts it again and answers the 429 problem.
      limits.refund('requestsPerIp', ip);
      return false;
    }
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    res.setHeader('X-Request-Id', requestId);
    for (const [name, value] of security) res.setHeader(name, value);
    const cors = readCorsHeaders(req.headers.origin, req.headers.host, config);
    // As the CORS and compression middlewares add it (compression not on a 304, which has no Content-Type).
    const vary = cors
      ? answer.status === 200
        ? 'Origin, Accept-Encoding'
        : 'Origin'
      : answer.status === 200
        ? 'Accept-Encoding'
        : undefined;
    if (vary) res.setHeader('Vary', vary);
    for (const [name, value] of cors ?? []) res.setHeader(name, value);
    for (const [name, value] of answer.headers) res.setHeader(name, value);
    res.statusCode = answer.status;
    res.end(answer.payload);
    logger.info('request', {
      requestId,
      method: req.method,
      path: req.url?.split('?')[0],
      status: answer.status,
      operationId: page.operationId,
      ms: Number(process.hrtime.bigint() - started) / 1e6,
    });
    return true;
  };
}
