import type { RequestHandler } from 'express';
import { operations } from '../openapi/operations.js';
import { ProblemError } from '../problem/problem-error.js';

/** Each path of the contract (under /api) as a pattern, with the methods it takes, as Express's OPTIONS lists them. */
const byPath = new Map<string, string[]>();
for (const { path, method } of operations) byPath.set(path, [...(byPath.get(path) ?? []), method.toUpperCase()]);
const PATHS = [...byPath].map(([path, methods]) => {
  if (methods.includes('GET')) methods.push('HEAD');
  methods.sort();
  const pattern = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+');
  return { path, pattern: new RegExp(`^${pattern}/?$`), allow: methods.join(', ') };
});

/** A request for a path of the contract by a method the path does not take: 405 with `Allow` (RFC 9110), not 404. */
export const methodNotAllowed: RequestHandler = (req, _res, next) => {
  const known = PATHS.find(({ pattern }) => pattern.test(req.path));
  if (!known) return next();
  next(new ProblemError('method-not-allowed', `${req.baseUrl}${known.path} takes ${known.allow}`, { headers: { Allow: known.allow } }));
};
