import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { operations } from '../openapi/operations.js';
import type { CachedBody } from './cached-body.js';
import { cachedAnswer } from './cached-response.js';

const headersValidators = new Map(operations.map((operation) => [operation.operationId, operation.validateHeaders]));

/** URLs remembered; a crawler walking cursors must not grow this without bound. */
const MAX_URLS = 1024;

/** A remembered URL's page as memory holds it now. */
export interface CachedPage {
  operationId: string;
  body: CachedBody<unknown>;
}

/**
 * Answers anonymous GETs of URLs the API router has already answered from
 * memory, straight from the cached bytes. A URL is remembered only after a
 * request for it passed the router's validation, and the answer depends on
 * nothing but the URL (no token), so skipping the router changes nothing but
 * the cost. The headers the operation takes are still checked: a request
 * whose headers the router would refuse goes on to it, as does a URL whose
 * lookup finds nothing.
 */
export class CachedRoutes {
  readonly #lookups = new Map<string, { operationId: string; lookup: () => CachedBody<unknown> | undefined }>();

  remember(url: string, operationId: string, lookup: () => CachedBody<unknown> | undefined): void {
    if (this.#lookups.has(url)) return;
    if (this.#lookups.size >= MAX_URLS) this.#lookups.delete(this.#lookups.keys().next().value as string);
    this.#lookups.set(url, { operationId, lookup });
  }

  /** The page for an anonymous GET or HEAD of `url` (the path and query as sent), if memory answers it. */
  page(method: string | undefined, url: string | undefined, headers: IncomingHttpHeaders): CachedPage | undefined {
    if ((method !== 'GET' && method !== 'HEAD') || headers.authorization !== undefined || url === undefined) return undefined;
    const route = this.#lookups.get(url);
    if (route && headersValidators.get(route.operationId)?.({ headers: { ...headers } }).length) return undefined;
    const body = route?.lookup();
    return route && body ? { operationId: route.operationId, body } : undefined;
  }

  readonly handler: RequestHandler = (req, res, next) => {
    const page = this.page(req.method, req.originalUrl, req.headers);
    const answer = page && cachedAnswer(req, page.body);
    if (!page || !answer) return next();
    res.locals.operationId = page.operationId;
    if (answer.status === 200) res.locals.chargeAnswer?.(page.body.json.length);
    for (const [name, value] of answer.headers) res.setHeader(name, value);
    // The compression middleware adds it to a 200 alone; a 304 carries what its 200 would (RFC 9110, 15.4.5).
    res.vary('Accept-Encoding');
    res.status(answer.status).end(answer.payload);
  };
}
