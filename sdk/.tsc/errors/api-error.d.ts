import type { Problem } from '../types.js';
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
export declare class ApiError extends NewsForumError {
    readonly code: 'api_error';
    readonly status: number;
    readonly problem: Problem;
    constructor(problem: Problem, requestId?: string | undefined);
    /** The problem's stable `type` URI. */
    get type(): string;
}
/** Whether a value has the members every problem+json body has. */
export declare function isProblem(value: unknown): value is Problem;
//# sourceMappingURL=api-error.d.ts.map