import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { requestPath } from './request-path.js';

/** A handler to mount with `startServer({ site })`; Express-compatible, and plain Node too. */
export type SiteHandler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Content-Type for a file name. */
export function contentType(name: string): string {
  return TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
}

/** Hex SHA-256 of some bytes. */
export function sha256(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

interface Encoding {
  name: string;
  compress: (bytes: Buffer) => Promise<Buffer>;
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
/** Above this size brotli's best quality takes seconds (Swagger UI's 1.7 MB bundle: 12 s); quality 9 takes a tenth of a second for 10 % more bytes. */
const LARGE = 256 * 1024;

/** Encodings offered, best first, with how to make them (in the thread pool, off the event loop). */
const ENCODINGS: readonly Encoding[] = [
  {
    name: 'br',
    compress: (bytes) =>
      brotli(bytes, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: bytes.length > LARGE ? 9 : constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        },
      }),
  },
  { name: 'gzip', compress: (bytes) => gzipAsync(bytes, { level: 9 }) },
];

/**
 * A handler that answers GET and HEAD for one path with fixed bytes
 * (compressed once per encoding, off the event loop, on the first request
 * that accepts br or gzip, so that starting a server costs nothing), a
 * strong ETag and the given headers, and 304 when the ETag matches.
 *
 * @example
 * startServer({ site: [serveFile('/robots.txt', { body: 'User-agent: *\n', type: 'text/plain' })] });
 */
export function serveFile(path: string, file: { body: Buffer | string; type: string; headers?: Record<string, string> }): SiteHandler {
  const { type, headers = {} } = file;
  const bytes = Buffer.from(file.body);
  const etag = `"${sha256(bytes).slice(0, 32)}"`;
  const compressible = /^(text\/|application\/(json|yaml)|image\/svg)/.test(type) && bytes.length > 1024;
  const encoded = new Map<Encoding, Promise<Buffer>>();
  const encode = (encoding: Encoding): Promise<Buffer> => {
    let body = encoded.get(encoding);
    if (!body) {
      body = encoding.compress(bytes);
      encoded.set(encoding, body);
    }
    return body;
  };
  const send = (req: IncomingMessage, res: ServerResponse, payload: Buffer, encoding?: Encoding) => {
    if (encoding) res.setHeader('Content-Encoding', encoding.name);
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', payload.length);
    res.end(req.method === 'HEAD' ? undefined : payload);
  };
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (requestPath(req.url) !== path) return next();
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (compressible) res.setHeader('Vary', [res.getHeader('Vary'), 'Accept-Encoding'].filter(Boolean).join(', '));
    const accepted = String(req.headers['accept-encoding'] ?? '');
    const encoding = compressible ? ENCODINGS.find(({ name }) => new RegExp(`\\b${name}\\b`).test(accepted)) : undefined;
    // One ETag per representation, as a strong ETag must be.
    const tag = encoding ? `${etag.slice(0, -1)}-${encoding.name}"` : etag;
    res.setHeader('ETag', tag);
    const match = req.headers['if-none-match'];
    if (match?.split(/\s*,\s*/).some((candidate) => candidate.replace(/^W\//, '') === tag)) {
      res.statusCode = 304;
      return void res.end();
    }
    if (!encoding) return send(req, res, bytes);
    encode(encoding).then((payload) => send(req, res, payload, encoding), next);
  };
}
