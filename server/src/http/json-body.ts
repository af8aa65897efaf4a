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

const BLANK = new Set([' ', '\t', '\n', '\r']);

/**
 * The first member name an object of `json` (valid JSON) holds twice, names
 * compared as JSON.parse reads them (`"a"` and `"\u0061"` are one). JSON.parse
 * keeps the last, where another reader of the same body (a proxy, a log) may
 * take the first: a body means one thing or is refused.
 */
export function repeatedMember(json: string): string | undefined {
  const objects: Set<string>[] = [];
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '{') objects.push(new Set());
    else if (c === '}') objects.pop();
    else if (c === '"') {
      const start = i;
      for (i++; json[i] !== '"'; i++) if (json[i] === '\\') i++;
      let next = i + 1;
      while (BLANK.has(json[next] ?? '')) next++;
      // A string followed by a colon is a member's name; any other is a value.
      if (json[next] !== ':') continue;
      const name = JSON.parse(json.slice(start, i + 1)) as string;
      const names = objects.at(-1);
      if (names?.has(name)) return name;
      names?.add(name);
    }
  }
  return undefined;
}

/**
 * express.json() that takes UTF-8 only. body-parser decodes any `utf-*`
 * charset iconv-lite knows, UTF-7 included, in which `+AHI-oot` reads as
 * `root`: what the validator checks must be what the client sent. Strings
 * holding a lone surrogate, and objects naming a member twice, are refused
 * for the same reason.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  const texts = new WeakMap<object, Buffer>();
  const parse = express.json({
    limit: limitBytes,
    strict: true,
    verify(req, _res, buffer, encoding) {
      if (!/^utf-?8$/i.test(encoding)) throw new ProblemError('unsupported-media-type', 'The body must be UTF-8 JSON');
      texts.set(req, buffer);
    },
  });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (error) return next(error);
      const text = texts.get(req);
      const repeated = text && typeof req.body === 'object' ? repeatedMember(text.toString('utf8')) : undefined;
      if (repeated !== undefined) {
        next(new ProblemError('bad-request', `The body names the member ${JSON.stringify(repeated)} more than once`));
      } else if (holdsLoneSurrogate(req.body)) {
        next(new ProblemError('bad-request', 'The body holds a lone UTF-16 surrogate, which no UTF-8 text can'));
      } else next();
    });
}
