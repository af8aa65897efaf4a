import type { Problem } from '@news-forum/protocol';
import { ApiError, isProblem } from '../errors/api-error.js';
import { NetworkError } from '../errors/network-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { isTransientError, MAX_RETRY_AFTER_MS, parseRetryAfter, type RetryDelay, sleep } from './backoff.js';
import { resolveUrl } from './resolve-url.js';
import type { CallOptions, RequestError, Result } from './result.js';
import { type BodyOf, type DataOf, fillPath, type Method, type PathOf, type QueryOf, type Target } from './route.js';

export interface TransportOptions {
  baseUrl: string;
  fetch: typeof globalThis.fetch | undefined;
  maxRetries: number;
  timeoutMs: number;
  retryDelay: RetryDelay;
  getToken: () => string | undefined;
}

/**
 * One REST call as the resource modules describe it: an operation of
 * openapi.yaml by method and path (below `/api`), whose parameters, query,
 * body and answer take their types from the contract.
 */
export type Call<P extends PathOf<M>, M extends Method> = Target<P, M> & {
  query?: QueryOf<P, M> | undefined;
  body?: BodyOf<P, M>;
  /**
   * True (the default) when sending the request twice has the effect of sending it once; a call that is not says
   * `false`, and is retried only with an `idempotencyKey`.
   */
  idempotent?: boolean;
  idempotencyKey?: string | undefined;
  /** Told about each failed attempt that is about to be retried. */
  onRetry?: (failure: RequestError) => void;
  /** The bearer token to send instead of the client's (signing out sends the one just forgotten); null sends none. */
  token?: string | null | undefined;
};

/** Sends `call`, cancelled by the caller's `options.signal`. */
export type Send = <M extends Method, P extends PathOf<M>>(call: Call<P, M>, options?: CallOptions) => Promise<Result<DataOf<P, M>>>;

/** What the transport reads of a call, whatever its operation. */
interface AnyCall {
  method: Method;
  path: string;
  params?: Record<string, string> | undefined;
  query?: Record<string, string | number | undefined> | undefined;
  body?: unknown;
  idempotent?: boolean;
  idempotencyKey?: string | undefined;
  onRetry?: (failure: RequestError) => void;
  token?: string | null | undefined;
}

/**
 * The one place that talks HTTP: URL and headers, per-attempt timeout,
 * abort, JSON and problem+json bodies, and retries.
 */
export function createTransport(options: TransportOptions): Send {
  const base = `${options.baseUrl.replace(/\/+$/, '')}/api`;
  // Looked up per call so a fetch polyfilled after createClient() is used.
  const fetchFn: typeof globalThis.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  const send = async (call: AnyCall, { signal }: CallOptions = {}): Promise<Result<unknown>> => {
    const url = resolveUrl(base + fillPath(call.path, call.params), options.baseUrl);
    if (url instanceof NetworkError) return { data: undefined, error: url, response: undefined };
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    const token = call.token === null ? undefined : (call.token ?? options.getToken());
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;
    const init: RequestInit = {
      method: call.method.toUpperCase(),
      headers,
      ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
    };

    const retryable = call.idempotent !== false || call.idempotencyKey !== undefined;
    for (let retry = 1; ; retry++) {
      const result = await attempt(fetchFn, url, init, signal, options.timeoutMs);
      const { error } = result;
      if (!error || !retryable || retry > options.maxRetries) return result;
      const delay = retryDelay(result, retry, options.retryDelay);
      if (delay === undefined) return result;
      call.onRetry?.(error);
      if (!(await sleep(delay, signal))) return aborted(signal, result.response);
    }
  };
  // The answer was JSON-parsed as the contract says the operation answers.
  return send as Send;
}

/**
 * Whether a failed attempt might still have changed something on the server:
 * everything retried except a 429, which the server refused before acting.
 */
export function mayHaveTakenEffect(failure: RequestError): boolean {
  return failure.status !== 429;
}

/** How long to wait before retrying a failed attempt, or undefined when it must not be retried. */
function retryDelay(result: Result<unknown>, retry: number, backoff: RetryDelay): number | undefined {
  const { error, response } = result;
  if (error === undefined || !isTransientError(error)) return undefined;
  if (error.code !== 'api_error') return backoff(retry);
  const asked = parseRetryAfter(response?.headers.get('retry-after') ?? null);
  if (asked === undefined) return backoff(retry);
  return asked <= MAX_RETRY_AFTER_MS ? asked : undefined;
}

async function attempt(
  fetchFn: typeof globalThis.fetch,
  url: URL,
  init: RequestInit,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<Result<unknown>> {
  if (signal?.aborted) return aborted(signal);
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeoutMs)
      : undefined;
  let response: Response | undefined;
  try {
    response = await fetchFn(url, { ...init, signal: controller.signal });
    // The body is read inside the timeout too: a stalled body is as bad as no answer.
    const text = await response.text();
    if (response.ok) return { data: text === '' ? null : (JSON.parse(text) as unknown), error: undefined, response };
    return { data: undefined, error: new ApiError(toProblem(text, response), response.headers.get('x-request-id') ?? undefined), response };
  } catch (cause) {
    if (timedOut) return { data: undefined, error: new TimeoutError(timeoutMs), response };
    if (signal?.aborted) return aborted(signal, response);
    // Which request: a wrong baseUrl or a forum that is down shows in its address (the reason is in `cause`).
    const message = cause instanceof SyntaxError ? 'The response is not valid JSON' : 'The request failed before an answer arrived';
    return { data: undefined, error: new NetworkError(`${message}: ${init.method} ${url.href}`, { cause }), response };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function aborted(signal: AbortSignal | undefined, response?: Response): Result<never> {
  return { data: undefined, error: new NetworkError('The request was aborted', { aborted: true, cause: signal?.reason }), response };
}

/** The problem+json body, or one made up from the status when the body is not a problem (a proxy's HTML page, say). */
function toProblem(text: string, response: Response): Problem {
  try {
    const body: unknown = JSON.parse(text);
    if (isProblem(body)) return body;
  } catch {
    // not JSON: fall through
  }
  return { type: 'about:blank', title: response.statusText || `HTTP ${response.status}`, status: response.status };
}
