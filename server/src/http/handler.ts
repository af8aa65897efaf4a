import type { Request, Response } from 'express';
import type { Scope } from '@news-forum/sdk';
import type { Services } from '../services.js';

/** The authenticated caller. */
export interface Caller {
  login: string;
  /** Scopes of the token that the account still holds. */
  scopes: Scope[];
}

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
