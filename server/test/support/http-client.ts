import { operations } from '../../src/openapi/operations.js';

export interface CallOptions {
  token?: string | undefined;
  /** Sent as JSON unless `raw` is given. */
  body?: unknown;
  /** Sent as-is, with `contentType`. */
  raw?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface CallResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  /** operationId of openapi.yaml that the request matched, if any. */
  operationId: string | undefined;
}

const matchers = operations.map((operation) => ({
  operation,
  pattern: new RegExp(`^/api${operation.path.replace(/\/$/, '').replace(/\{\w+\}/g, '[^/]+')}/?$`),
}));

/** operationIds answered by `call` in this test file. */
export const calledOperations = new Set<string>();

function matchOperation(method: string, pathname: string) {
  return matchers.find((m) => m.operation.method === method.toLowerCase() && m.pattern.test(pathname))?.operation;
}

/**
 * One real HTTP request. Every answer is also checked against the contract:
 * its status must be declared for the operation, errors must be
 * problem+json with a stable type, and no answer is a 5xx.
 */
export async function call<T = any>(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    if (options.contentType) headers['content-type'] = options.contentType;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const parsed = /json/.test(contentType) && text ? JSON.parse(text) : text;
  const pathname = new URL(path, baseUrl).pathname;
  const operation = matchOperation(method, pathname);
  if (response.status >= 500) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  if (operation) {
    calledOperations.add(operation.operationId);
    if (!operation.declaresStatus(response.status)) {
      throw new Error(`${method} ${path} answered ${response.status}, which ${operation.operationId} does not declare`);
    }
  }
  if (response.status >= 400 && pathname.startsWith('/api')) {
    if (!contentType.startsWith('application/problem+json'))
      throw new Error(`${method} ${path}: error without problem+json (${contentType})`);
    if (!/^urn:news-forum:problem:[a-z-]+$/.test(parsed.type) || parsed.status !== response.status) {
      throw new Error(`${method} ${path}: malformed problem ${text}`);
    }
  }
  return { status: response.status, headers: response.headers, body: parsed as T, operationId: operation?.operationId };
}
