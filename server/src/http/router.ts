import express, { type Request, type Response, type Router } from 'express';
import { bearerToken, type Caller, requireScopes, resolveCaller } from '../auth/caller.js';
import { REFUSED_WHEN_BANNED, refuseBanned } from '../moderation/ban.js';
import { type CompiledOperation, operations } from '../openapi/operations.js';
import { ProblemError } from '../problem/problem-error.js';
import type { Services } from '../services.js';
import { type HandlerContext, type Handlers, OPTIONAL_AUTH, type OperationId, type Reply } from './handler.js';

const WRITE_METHODS = new Set(['post', 'put', 'delete', 'patch']);

/** Thrown at start-up when handlers and openapi.yaml disagree. */
function contractMismatch(detail: string): Error {
  return new Error(`Handlers do not match openapi.yaml: ${detail}`);
}

async function authenticate(req: Request, operation: CompiledOperation, services: Services): Promise<Caller | undefined> {
  const token = bearerToken(req);
  if (token === undefined) {
    if (!operation.security.required) return undefined;
    throw new ProblemError('unauthorized', 'No token provided', { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
  const caller = await resolveCaller(token, services);
  requireScopes(caller, operation.security.scopes);
  return caller;
}

function parameters(req: Request, operation: CompiledOperation) {
  const input = {
    path: { ...req.params } as Record<string, string>,
    query: { ...(req.query as Record<string, unknown>) },
    headers: { ...req.headers } as Record<string, string | undefined>,
  };
  const problems = operation.validateParameters(input);
  if (problems.length > 0) throw new ProblemError('bad-request', 'The path, query or headers are invalid', { errors: problems });
  return input;
}

/** Whether a request came with a body: some bytes declared, or sent in chunks. */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function body(req: Request, operation: CompiledOperation): unknown {
  if (!operation.validateBody) {
    // What the operation would not read is refused, not ignored: a vote sent with a body the client meant something by.
    if (hasBody(req)) throw new ProblemError('bad-request', 'This operation takes no body');
    return undefined;
  }
  if (!req.is('application/json')) throw new ProblemError('unsupported-media-type', 'The body must be application/json');
  const problems = operation.validateBody(req.body);
  if (problems.length > 0) throw new ProblemError('validation', 'The body does not match the schema', { errors: problems });
  return req.body;
}

/**
 * Checks a reply against the contract. A drift is a bug of ours: with
 * `strictResponses` (tests) it becomes a 500 so the test fails; otherwise it
 * is logged and the reply is sent.
 */
function checkReply(operation: CompiledOperation, reply: Reply<OperationId>, services: Services, strict: boolean): void {
  const validate = operation.responseValidator(reply.status);
  const problems = operation.declaresStatus(reply.status)
    ? (validate?.(reply.body) ?? (reply.body === undefined ? [] : [{ pointer: '', detail: 'no body is declared' }]))
    : [{ pointer: '', detail: `status ${reply.status} is not declared` }];
  if (problems.length === 0) return;
  services.logger.error('response does not match openapi.yaml', { operationId: operation.operationId, status: reply.status, problems });
  if (strict) throw new Error(`Response of ${operation.operationId} drifted from openapi.yaml: ${JSON.stringify(problems)}`);
}

function send(res: Response, reply: Reply<OperationId>): void {
  res.status(reply.status);
  for (const [name, value] of Object.entries(reply.headers ?? {})) if (typeof value === 'string') res.setHeader(name, value);
  // A validated answer may become a 304, which carries the Vary its 200 would (the compression middleware's).
  if (res.hasHeader('ETag')) res.vary('Accept-Encoding');
  if (reply.body === undefined) return void res.end();
  // As res.json serializes it; its size is what the answer costs (see policy/answer-cost.ts).
  const json = JSON.stringify(reply.body);
  res.locals.chargeAnswer?.(Buffer.byteLength(json));
  if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.send(json);
}

/**
 * The `/api` router, built from openapi.yaml: one route per operation, each
 * authenticated, scope-checked and validated as the contract says before its
 * handler runs. Throws when a handler is missing or has no operation.
 */
export function createApiRouter(handlers: Handlers, services: Services, options: { strictResponses: boolean }): Router {
  const ids = new Set(operations.map((o) => o.operationId));
  const missing = [...ids].filter((id) => !(id in handlers));
  const extra = Object.keys(handlers).filter((id) => !ids.has(id));
  if (missing.length > 0) throw contractMismatch(`no handler for ${missing.join(', ')}`);
  if (extra.length > 0) throw contractMismatch(`no operation for ${extra.join(', ')}`);
  // Handlers take `caller` as always present unless the operation is listed in OPTIONAL_AUTH.
  const optional: readonly string[] = OPTIONAL_AUTH;
  const misread = operations.filter((o) => o.security.required === optional.includes(o.operationId)).map((o) => o.operationId);
  if (misread.length > 0) throw contractMismatch(`OPTIONAL_AUTH is wrong about ${misread.join(', ')}`);

  const router = express.Router({ strict: false });
  // Most specific paths first, so `/posts/{pid}` never shadows `/posts/{pid}/upvotes`.
  const ordered = [...operations].sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  for (const operation of ordered) {
    // The one place where the contract's types meet untyped requests: the
    // validators below establish what HandlerContext promises.
    const handler = handlers[operation.operationId as OperationId] as (context: HandlerContext<OperationId>) => Promise<Reply<OperationId>>;
    router[operation.method](operation.expressPath, async (req, res) => {
      res.locals.operationId = operation.operationId;
      const caller = await authenticate(req, operation, services);
      if (caller && WRITE_METHODS.has(operation.method)) await services.limits.enforce('writesPerUser', caller.login);
      if (caller && REFUSED_WHEN_BANNED.has(operation.operationId as OperationId)) refuseBanned(caller.ban);
      const input = parameters(req, operation);
      const context = { req, res, ...input, body: body(req, operation), caller, services };
      const reply = await handler(context as HandlerContext<OperationId>);
      checkReply(operation, reply, services, options.strictResponses);
      send(res, reply);
    });
  }
  return router;
}
