import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { StoreError } from '../store/store-error.js';
import { ProblemError } from './problem-error.js';
import { toProblem } from './to-problem.js';

/** Whether `text` is JSON: express.json() refuses, as not valid JSON, JSON that is not an object or an array. */
function isJson(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Errors raised by express.json() carry a `type`, and a body that did not parse its text (`body`). */
function fromBodyParser(error: { type?: string; status?: number; body?: unknown; limit?: unknown }): ProblemError | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return new ProblemError(
        'payload-too-large',
        typeof error.limit === 'number'
          ? `The body is larger than the limit of ${error.limit / 1024} KiB`
          : 'The body is larger than the limit',
      );
    case 'entity.parse.failed':
      return new ProblemError('bad-request', isJson(error.body) ? 'The body must be a JSON object' : 'The body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ProblemError('unsupported-media-type', 'The body must be UTF-8 JSON');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new ProblemError('bad-request', 'The body could not be read');
    default:
      return undefined;
  }
}

/** At most one "database unavailable" line this often: an outage fails every request, and each would log. */
const OUTAGE_LOG_MS = 5_000;

/** A warning logged at most once per `ms`; the next one says how many were left out (`suppressed`). */
function quietLog(logger: Logger, msg: string, ms: number): (fields: Record<string, unknown>) => void {
  let quietUntil = 0;
  let suppressed = 0;
  return (fields) => {
    const now = Date.now();
    if (now < quietUntil) {
      suppressed++;
      return;
    }
    logger.warn(msg, { ...fields, ...(suppressed > 0 && { suppressed }) });
    suppressed = 0;
    quietUntil = now + ms;
  };
}

/** Answers every error as application/problem+json; never leaks a stack trace. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  const outage = quietLog(logger, 'database unavailable', OUTAGE_LOG_MS);
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const known = error instanceof ProblemError || error instanceof StoreError;
    let problem = known ? toProblem(error) : fromBodyParser((error ?? {}) as { type?: string });
    if (!problem) {
      const status = (error as { status?: number }).status;
      // Errors from express itself (e.g. a malformed URI) carry a 4xx status.
      problem = status !== undefined && status >= 400 && status < 500 ? new ProblemError('bad-request', 'Malformed request') : undefined;
    }
    if (!problem) {
      logger.error('unhandled error', { requestId: res.locals.requestId, error: error instanceof Error ? error.stack : String(error) });
      problem = toProblem(error);
    } else if (error instanceof StoreError && error.kind === 'unavailable' && error.cause instanceof Error) {
      // The client is told to try again; the operator needs what failed (a database away, its disk or directory).
      outage({ requestId: res.locals.requestId, error: error.cause.message });
    }
    for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
    res
      .status(problem.status)
      .type('application/problem+json')
      .send(JSON.stringify({ ...problem.toJSON(), instance: req.originalUrl.split('?')[0], requestId: res.locals.requestId }));
  };
}

/** 404 for anything no route answered. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new ProblemError('not-found', `No route for ${req.method} ${req.baseUrl}${req.path}`));
};
