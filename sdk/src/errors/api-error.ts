import type { Problem } from '@news-forum/protocol';
import { NewsForumError } from './news-forum-error.js';

/**
 * The server answered with an error status. `problem` is its RFC 9457 body
 * (`problem.type` is stable, e.g. `urn:news-forum:problem:not-found`;
 * `problem.errors` points at invalid members of the request).
 *
 * @example
 * const { error } = await forum.posts.create({ title: '' });
 * if (error instanceof ApiError && error.status === 422) showFieldErrors(error.problem.errors);
 */
export class ApiError extends NewsForumError {
  declare readonly code: 'api_error';
  declare readonly status: number;
  declare readonly problem: Problem;

  constructor(problem: Problem, requestId = problem.requestId) {
    super('api_error', problem.detail ?? problem.title, { status: problem.status, problem, requestId });
    this.name = 'ApiError';
  }

  /** The problem's stable `type` URI. */
  get type(): string {
    return this.problem.type;
  }
}

/** Whether a value has the members every problem+json body has. */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const { type, title, status } = value as Record<string, unknown>;
  return typeof type === 'string' && typeof title === 'string' && typeof status === 'number';
}
