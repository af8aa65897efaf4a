import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { cors } from './http/cors.js';
import { jsonBody } from './http/json-body.js';
import { requestLog } from './http/request-log.js';
import { createApiRouter } from './http/router.js';
import { createSiteRouter, type ReadinessCheck } from './http/site.js';
import { loadWidgetBundle, type WidgetBundle } from './http/widget-bundle.js';
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

/** The Express application: security headers, CORS, rate limits, /api from openapi.yaml, docs, health, the widget bundle. */
export function createApp(services: Services, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', services.config.trustProxy);
  app.set('query parser', 'simple');
  app.use(requestLog(services.logger));
  app.use(
    helmet({
      // The widget bundle and the API are meant to be used from other origins (CORS decides who).
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      // No upgrade-insecure-requests: a node served over plain http on a LAN address must keep working.
      contentSecurityPolicy: { directives: { 'connect-src': ["'self'", 'ws:', 'wss:'], 'upgrade-insecure-requests': null } },
    }),
  );
  app.use(cors(services.config));
  app.use((req, _res, next) => {
    services.limits.enforce('requestsPerIp', req.ip ?? 'unknown');
    next();
  });
  app.use('/api', jsonBody(services.limits.settings.bodyBytes));
  app.use('/api', createApiRouter(handlers, services, { strictResponses: options.strictResponses ?? false }));
  app.use('/api', notFound);
  app.use(createSiteRouter(services, options.readiness ?? new Map()));
  for (const handler of (options.widget ?? installedWidget(services))?.handlers ?? []) app.use(handler);
  for (const handler of options.site ?? []) app.use(handler);
  app.use(notFound);
  app.use(problemHandler(services.logger));
  return app;
}
