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

/**
 * The answer to a GET or HEAD of a cached page, the same whether Express or
 * the fast path sends it: ETag/304, Vary, and the body precompressed per
 * page in the encoding the compression middleware would choose. Undefined
 * when that encoding is one not kept (deflate): the caller lets the
 * middleware compress.
 */
export function cachedAnswer(req: RequestLike, body: CachedBody<unknown>): CachedAnswer | undefined {
  if (fresh(req.headers, { etag: body.etag })) {
    return { status: 304, headers: [['ETag', body.etag]], payload: undefined };
  }
  const headers: [string, string][] = [
    ['ETag', body.etag],
    ['Content-Type', 'application/json; charset=utf-8'],
  ];
  let payload = body.json;
  if (body.json.length >= THRESHOLD && req.method !== 'HEAD') {
    const accept = req.headers['accept-encoding'];
    const method = accept === undefined ? 'identity' : (new Negotiator(req) as Preferring).encoding(SUPPORTED, PREFERRED);
    if (method === 'deflate') return undefined;
    if (method === 'br' || method === 'gzip') {
      payload = encoded(body, method);
      headers.push(['Content-Encoding', method]);
    }
  }
  headers.push(['Content-Length', String(payload.length)]);
  return { status: 200, headers, payload: req.method === 'HEAD' ? undefined : payload };
}
