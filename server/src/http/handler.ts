import type { operations, QUERY_DEFAULTS } from '@news-forum/protocol';
import type { Request, Response } from 'express';
import type { Caller } from '../auth/caller.js';
import type { Services } from '../services.js';

/** The operationIds of openapi.yaml. */
export type OperationId = keyof operations;
type Operation<K extends OperationId> = operations[K];

/**
 * Operations whose `security` lets a request without a token through; the
 * router checks this list against openapi.yaml at start-up.
 */
export const OPTIONAL_AUTH = [
  'getApiInfo',
  'authenticate',
  'createUser',
  'listPosts',
  'getPost',
  'listComments',
  'getPageDiscussion',
] as const satisfies readonly OperationId[];

type Defaults = typeof QUERY_DEFAULTS;
type Defaulted<K extends OperationId> = K extends keyof Defaults ? keyof Defaults[K] : never;
type Present<T, Fallback> = [NonNullable<T>] extends [never] ? Fallback : NonNullable<T>;
/** Keys of a type without its index signature. */
type KnownKeys<T> = keyof { [P in keyof T as string extends P ? never : number extends P ? never : P]: T[P] };

/** Path parameters of an operation. */
export type PathParams<K extends OperationId> = Present<Operation<K>['parameters']['path'], Record<string, never>>;
type RawQuery<K extends OperationId> = Present<Operation<K>['parameters']['query'], Record<string, never>>;
/** Query parameters, with the defaults openapi.yaml declares filled in. */
export type QueryParams<K extends OperationId> = Omit<RawQuery<K>, Defaulted<K>> &
  Required<Pick<RawQuery<K>, Defaulted<K> & keyof RawQuery<K>>>;
type RawHeaders<K extends OperationId> = Present<Operation<K>['parameters']['header'], Record<string, never>>;
/** Header parameters, by their lower-case names (as Node delivers them). */
export type HeaderParams<K extends OperationId> = { [H in keyof RawHeaders<K> as Lowercase<H & string>]?: RawHeaders<K>[H] };
/** The JSON body, or undefined for operations without one. */
export type RequestBody<K extends OperationId> = Operation<K>['requestBody'] extends { content: { 'application/json': infer B } }
  ? B
  : undefined;

/** Headers a handler may set on a response: those the contract declares for it, except X-Request-Id, which every answer gets. */
type ReplyHeaders<R> = R extends { headers: infer H }
  ? [Exclude<KnownKeys<H>, 'X-Request-Id'>] extends [never]
    ? never
    : { [N in Exclude<KnownKeys<H>, 'X-Request-Id'>]?: H[N] }
  : never;
type ReplyFor<S, R> = R extends { content: { 'application/json': infer B } }
  ? { status: S; body: B; headers?: ReplyHeaders<R> }
  : R extends { content: object }
    ? never // problem answers are thrown as ProblemError, not returned
    : { status: S; body?: undefined; headers?: ReplyHeaders<R> };
type Responses<K extends OperationId> = Operation<K>['responses'];

/**
 * What a handler answers: one of the operation's declared statuses with its
 * declared body and headers, so an answer the contract does not declare
 * fails to compile. The router also validates it at run time.
 */
export type Reply<K extends OperationId> = K extends OperationId
  ? { [S in keyof Responses<K>]: ReplyFor<S, Responses<K>[S]> }[keyof Responses<K>]
  : never;

/** What a handler gets: input validated against openapi.yaml and coerced, and the services. */
export interface HandlerContext<K extends OperationId> {
  req: Request;
  res: Response;
  path: PathParams<K>;
  query: QueryParams<K>;
  headers: HeaderParams<K>;
  body: RequestBody<K>;
  /** The authenticated caller; always there when the operation needs a token. */
  caller: K extends (typeof OPTIONAL_AUTH)[number] ? Caller | undefined : Caller;
  services: Services;
}

export type Handler<K extends OperationId> = (context: HandlerContext<K>) => Promise<Reply<K>>;

/** A handler for every operation, keyed by operationId. */
export type Handlers = { [K in OperationId]: Handler<K> };
