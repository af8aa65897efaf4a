import express, { type RequestHandler } from 'express';
import { ProblemError } from '../problem/problem-error.js';

/**
 * express.json() that takes UTF-8 only. body-parser decodes any `utf-*`
 * charset iconv-lite knows, UTF-7 included, in which `+AHI-oot` reads as
 * `root`: what the validator checks must be what the client sent.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  return express.json({
    limit: limitBytes,
    strict: true,
    verify(_req, _res, _buffer, encoding) {
      if (!/^utf-?8$/i.test(encoding)) throw new ProblemError('unsupported-media-type', 'The body must be UTF-8 JSON');
    },
  });
}
