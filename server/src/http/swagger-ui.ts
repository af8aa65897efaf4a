import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RequestHandler } from 'express';
import { requestPath } from './request-path.js';
import { contentType, type SiteHandler, serveFile } from './static-file.js';

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
};
`;
const CACHE = { 'Cache-Control': 'public, max-age=3600' };

/** The files of `swagger-ui-dist` a browser may ask for, by URL path. */
function listFiles(): Map<string, string> {
  // Not importing the package: its entry point loads the whole 1.7 MB bundle into the server.
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return new Map(
    readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && contentType(entry.name) !== 'application/octet-stream')
      .map((entry) => [`/${entry.name}`, join(dir, entry.name)]),
  );
}

/**
 * Swagger UI (from `swagger-ui-dist`) for a router mounted at `/docs`,
 * pointed at `/openapi.json`. Nothing of it is read before the first request
 * for the docs; then each file is read on its first request and kept, with
 * its compressed forms, in memory.
 */
export function swaggerUi(): RequestHandler {
  let files: Map<string, string> | undefined;
  const handlers = new Map<string, SiteHandler>([
    ['/swagger-initializer.js', serveFile('/swagger-initializer.js', { body: INITIALIZER, type: contentType('.js') })],
  ]);
  const handlerFor = (path: string): SiteHandler | undefined => {
    let handler = handlers.get(path);
    if (handler) return handler;
    files ??= listFiles();
    const file = files.get(path === '/' ? '/index.html' : path);
    if (!file) return undefined;
    handler = serveFile(path, { body: readFileSync(file), type: contentType(file), headers: CACHE });
    handlers.set(path, handler);
    return handler;
  };
  return (req, res, next) => {
    // As a static directory does: /docs is /docs/.
    if (req.originalUrl.split('?')[0] === req.baseUrl) return res.redirect(301, `${req.baseUrl}/`);
    const handler = handlerFor(requestPath(req.url));
    if (!handler) return next();
    handler(req, res, next);
  };
}
