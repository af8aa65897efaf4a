import compression from 'compression';
import express, { type Express, type RequestHandler } from 'express';
import { cors } from './http/cors.js';
import { createHealthRouter, type ReadinessCheck } from './http/health.js';
import { jsonBody } from './http/json-body.js';
import { methodNotAllowed } from './http/method-not-allowed.js';
import { requestLog } from './http/request-log.js';
import { createApiRouter } from './http/router.js';
import { securityHeaders } from './http/security-headers.js';
import { createSiteRouter } from './http/site.js';
import { loadWidgetBundle, type WidgetBundle } from './http/widget-bundle.js';
import { createPagesRouter } from './pages/pages-router.js';
import { chargeAnswer } from './policy/answer-cost.js';
import { limitKey } from './policy/client-address.js';
import { notFound, problemHandler } from './problem/problem-middleware.js';
import { handlers } from './routes/index.js';
import type { Services } from './services.js';

export interface AppOptions {
  /** Turn a response that drifts from openapi.yaml into a 500 (tests). */
  strictResponses?: boolean;
  /** Readiness checks besides the store's (e.g. Redis). */
  readiness?: Map<string, ReadinessCheck>;
  /** Mounted after the API and the widget bundle, e.g. for the demo site. */
  site?: RequestHandler[];
  /** The widget bundle to serve at /news-forum.js; default `@news-forum/widget`'s. */
  widget?: WidgetBundle;
}

/** The installed widget bundle, or none (with a warning) when it has not been built. */
function installedWidget(services: Services): WidgetBundle | undefined {
  try {
    return loadWidgetBundle();
  } catch (error) {
    services.logger.warn('not serving /news-forum.js', { error: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

// The answer to a write is one resource (a vote's is about 300 bytes), read once by the writer. The
// compressor wraps every response it sees, whatever it then decides, and with those wrappers twice as much
// of what writes allocate outlived two young-generation collections and went to the old generation: on one
// node taking 100 votes/s, 31 MB promoted in 10 s and 178 ms of scavenges with it, 16 MB and 100 ms without.
const COMPRESSED_METHODS = new Set(['GET', 'HEAD']);

/**
 * gzip or brotli for JSON, pages and scripts of 1 KiB or more, chosen by
 * Accept-Encoding (brotli at quality 4: cheap per request). Event streams are
 * left alone: a compressor would hold back each event until the stream ends.
 * Files served by `serveFile` come already compressed, once, and pass through;
 * socket.io answers before Express and is not touched (no WebSocket
 * per-message deflate either: it costs CPU per message on every socket).
 * Only answers to reads (GET, HEAD) are compressed: see COMPRESSED_METHODS.
 */
function compress(): RequestHandler {
  const compressor = compression({
    filter: (req, res) => !/^text\/event-stream/i.test(String(res.getHeader('Content-Type') ?? '')) && compression.filter(req, res),
  });
  return (req, res, next) => (COMPRESSED_METHODS.has(req.method) ? compressor(req, res, next) : next());
}

/** The Express application: security headers, CORS, health (not rate-limited), rate limits, /api from openapi.yaml, docs, the widget bundle. */
export function createApp(services: Services, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', services.config.trustProxy);
  app.set('query parser', 'simple');
  app.use(requestLog(services.logger));
  app.use(compress());
  app.use(securityHeaders());
  app.use(cors(services.config));
  app.use(createHealthRouter(services, options.readiness ?? new Map()));
  app.use(async (req, res, next) => {
    const address = limitKey(req.ip);
    await services.limits.enforce('requestsPerIp', address);
    // What sends a body it made counts its size before sending it: a large one costs more than one request, also to a
    // client that never reads it.
    res.locals.chargeAnswer = (bytes: number) => chargeAnswer(services.limits, address, bytes);
    next();
  });
  app.use('/api', jsonBody(services.limits.settings.bodyBytes));
  app.use('/api', services.reads.routes.handler);
  app.use('/api', createApiRouter(handlers, services, { strictResponses: options.strictResponses ?? false }));
  app.use('/api', methodNotAllowed, notFound);
  app.use(createSiteRouter());
  const widget = options.widget ?? installedWidget(services);
  for (const handler of widget?.handlers ?? []) app.use(handler);
  for (const handler of options.site ?? []) app.use(handler);
  // After the site: a site serving `/` (the demo) keeps it; /p/{id} and /sitemap.xml are the server's.
  app.use(createPagesRouter(services, widget?.path));
  app.use(notFound);
  app.use(problemHandler(services.logger));
  return app;
}
