import type { Request, Response } from 'express';
import type { Caller } from '../auth/caller.js';
import type { Services } from '../services.js';

/** What a handler gets: validated, coerced input and the services. */
export interface HandlerContext {
  req: Request;
  res: Response;
  path: Record<string, string>;
  query: Record<string, unknown>;
  headers: Record<string, string | undefined>;
  body: unknown;
  caller: Caller | undefined;
  services: Services;
}

/** What a handler answers; the router validates it against the contract and sends it. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (context: HandlerContext) => Promise<Reply>;

/** Handlers keyed by operationId. */
export type Handlers = Record<string, Handler>;
