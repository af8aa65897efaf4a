import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import fresh from 'fresh';
import Negotiator from 'negotiator';
import type { CachedBody } from './cached-body.js';

// As the compression middleware chooses: the same threshold, encodings and preference.
const THRESHOLD = 1024;
const SUPPORTED = ['br', 'gzip', 'deflate', 'identity'];
const PREFERRED = ['br', 'gzip'];
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } };

// negotiator 1.x takes the server's preference; its published types predate that.
type Preferring = { encoding(available: string[], preferred: string[]): string | undefined };

/** Bodies compressed once per cached page (a page is replaced, never changed, so the key is the page). */
const compressed = new WeakMap<CachedBody<unknown>, { br?: Buffer; gzip?: Buffer }>();

function encoded(body: CachedBody<unknown>, encoding: 'br' | 'gzip'): Buffer {
  let held = compressed.get(body);
  if (!held) {
    held = {};
    compressed.set(body, held);
  }
  held[encoding] ??= encoding === 'br' ? brotliCompressSync(body.json, BROTLI) : gzipSync(body.json);
  return held[encoding];
}

/** What answers one request for a cached page: status, headers of the representation, and the bytes (none for HEAD or 304). */
export interface CachedAnswer {
  status: 200 | 304;
  headers: [string, string][];
  payload: Buffer | undefined;
}

interface RequestLike {
  method?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/** The content coding the compression middleware sends `body` in, answering `req`. */
function codingFor(req: RequestLike, body: CachedBody<unknown>): string {
  if (body.json.length < THRESHOLD || req.method === 'HEAD' || req.headers['accept-encoding'] === undefined) return 'identity';
  return (new Negotiator(req) as Preferring).encoding(SUPPORTED, PREFERRED) ?? 'identity';
}

/**
 * The page's ETag for what answers `req`: strong, and one per content coding, each coding being a representation of
 * its own (RFC 9110, 8.8.3): a gzip answer and a plain one never share a validator.
 */
export function representationEtag(req: RequestLike, body: CachedBody<unknown>): string {
  return etagIn(body, codingFor(req, body));
}

function etagIn(body: CachedBody<unknown>, coding: string): string {
  return coding === 'identity' ? body.etag : `${body.etag.slice(0, -1)}-${coding}"`;
}

/**
 * The answer to a GET or HEAD of a cached page, the same whether Express or
 * the fast path sends it: ETag/304 and the body precompressed per page in
 * the encoding the compression middleware would choose (`Vary` is the
 * caller's, beside CORS's). Undefined when that encoding is one not kept
 * (deflate): the caller lets the middleware compress.
 */
export function cachedAnswer(req: RequestLike, body: CachedBody<unknown>): CachedAnswer | undefined {
  const coding = codingFor(req, body);
  if (coding === 'deflate') return undefined;
  const etag = etagIn(body, coding);
  if (fresh(req.headers, { etag })) return { status: 304, headers: [['ETag', etag]], payload: undefined };
  const headers: [string, string][] = [
    ['ETag', etag],
    ['Content-Type', 'application/json; charset=utf-8'],
  ];
  let payload = body.json;
  if (coding === 'br' || coding === 'gzip') {
    payload = encoded(body, coding);
    headers.push(['Content-Encoding', coding]);
  }
  headers.push(['Content-Length', String(payload.length)]);
  return { status: 200, headers, payload: req.method === 'HEAD' ? undefined : payload };
}
