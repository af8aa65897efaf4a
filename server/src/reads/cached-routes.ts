import type { RequestHandler } from 'express';
import type { CachedBody } from './cached-body.js';

/** URLs remembered; a crawler walking cursors must not grow this without bound. */
const MAX_URLS = 1024;

/**
 * Answers anonymous GETs of URLs the API router has already answered from
 * memory, straight from the cached bytes. A URL is remembered only after a
 * request for it passed the router's validation, and the answer depends on
 * nothing but the URL (no token), so skipping the router changes nothing but
 * the cost. A URL whose lookup finds nothing goes on to the router.
 */
export class CachedRoutes {
  readonly #lookups = new Map<string, { operationId: string; lookup: () => CachedBody<unknown> | undefined }>();

  remember(url: string, operationId: string, lookup: () => CachedBody<unknown> | undefined): void {
    if (this.#lookups.has(url)) return;
    if (this.#lookups.size >= MAX_URLS) this.#lookups.delete(this.#lookups.keys().next().value as string);
    this.#lookups.set(url, { operationId, lookup });
  }

  readonly handler: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers.authorization !== undefined) return next();
    const route = this.#lookups.get(req.originalUrl);
    const body = route?.lookup();
    if (!route || !body) return next();
    res.locals.operationId = route.operationId;
    res.setHeader('ETag', body.etag);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    // send() answers 304 itself when If-None-Match matches the ETag.
    res.status(200).send(body.json);
  };
}
