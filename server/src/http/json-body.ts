import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';
import { ProblemError } from '../problem/problem-error.js';

/**
 * A UTF-16 surrogate alone (`"\ud800"` in JSON) has no UTF-8 form: stored, it
 * would become U+FFFD, not what was sent (I-JSON, RFC 7493, refuses it too).
 */
const LONE_SURROGATE = /\p{Cs}/u;

function holdsLoneSurrogate(body: unknown): boolean {
  // A stack of its own, not recursion: no nesting can overflow the call stack.
  const pending = [body];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) return true;
    } else if (Array.isArray(value)) {
      // Not push(...value): spreading a long array overflows the stack too.
      for (const item of value) pending.push(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, member] of Object.entries(value)) {
        if (LONE_SURROGATE.test(key)) return true;
        pending.push(member);
      }
    }
  }
  return false;
}

/**
 * The deepest nesting of arrays and objects a body may have. A walker that
 * recurses once per level (fast-json-stable-stringify, for Idempotency-Key, or
 * the next one written) overflows the stack a few thousand levels down; no
 * body the contract accepts is more than a few levels deep, so 64 refuses
 * nothing honest and keeps every walker far from the stack's end.
 */
const MAX_DEPTH = 64;

/**
 * Whether `json` (UTF-8 bytes, not yet parsed) nests arrays and objects
 * deeper than `max`. Bytes of multi-byte characters are all 0x80 or above,
 * so no ASCII bracket, quote or backslash is ever misread inside one.
 */
function nestsDeeperThan(json: Buffer, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === 0x22) {
      for (i++; i < json.length && json[i] !== 0x22; i++) if (json[i] === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
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
 * `root`: what the validator checks must be what the client sent. Bytes that
 * are not UTF-8 (decoded as U+FFFD), strings holding a lone surrogate, and
 * objects naming a member twice, are refused for the same reason; bodies
 * nested deeper than MAX_DEPTH are refused before anything walks them.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  const texts = new WeakMap<object, Buffer>();
  const parse = express.json({
    limit: limitBytes,
    strict: true,
    verify(req, _res, buffer, encoding) {
      if (!/^utf-?8$/i.test(encoding)) throw new ProblemError('unsupported-media-type', 'The body must be UTF-8 JSON');
      // A leading byte order mark is valid UTF-8, and body-parser drops it before parsing, as RFC 8259 allows.
      if (!isUtf8(buffer)) throw new ProblemError('bad-request', 'The body is not valid UTF-8');
      if (nestsDeeperThan(buffer, MAX_DEPTH)) {
        throw new ProblemError('bad-request', `The body nests arrays and objects more than ${MAX_DEPTH} levels deep`);
      }
      texts.set(req, buffer);
    },
  });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (error) return next(error);
      // body-parser calls back from a stream event, where Express catches
      // nothing: a throw here would end the process, not answer the request.
      let problem: unknown;
      try {
        const text = texts.get(req);
        const repeated = text && typeof req.body === 'object' ? repeatedMember(text.toString('utf8')) : undefined;
        if (repeated !== undefined) {
          problem = new ProblemError('bad-request', `The body names the member ${JSON.stringify(repeated)} more than once`);
        } else if (holdsLoneSurrogate(req.body)) {
          problem = new ProblemError('bad-request', 'The body holds a lone UTF-16 surrogate, which no UTF-8 text can');
        }
      } catch (thrown) {
        problem = thrown;
      }
      next(problem);
    });
}
