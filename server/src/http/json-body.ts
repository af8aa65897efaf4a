import express, { type RequestHandler } from 'express';
import { ProblemError } from '../problem/problem-error.js';

/**
 * A UTF-16 surrogate alone (`"\ud800"` in JSON) has no UTF-8 form: stored, it
 * would become U+FFFD, not what was sent (I-JSON, RFC 7493, refuses it too).
 */
const LONE_SURROGATE = /\p{Cs}/u;

function holdsLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(holdsLoneSurrogate);
  return Object.entries(value).some(([key, member]) => LONE_SURROGATE.test(key) || holdsLoneSurrogate(member));
}

/**
 * express.json() that takes UTF-8 only. body-parser decodes any `utf-*`
 * charset iconv-lite knows, UTF-7 included, in which `+AHI-oot` reads as
 * `root`: what the validator checks must be what the client sent. Strings
 * holding a lone surrogate are refused for the same reason.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  const parse = express.json({
    limit: limitBytes,
    strict: true,
    verify(_req, _res, _buffer, encoding) {
      if (!/^utf-?8$/i.test(encoding)) throw new ProblemError('unsupported-media-type', 'The body must be UTF-8 JSON');
    },
  });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (error) next(error);
      else if (holdsLoneSurrogate(req.body))
        next(new ProblemError('bad-request', 'The body holds a lone UTF-16 surrogate, which no UTF-8 text can'));
      else next();
    });
}
