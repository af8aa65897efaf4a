import { NewsForumError } from './news-forum-error.js';
/** No answer within the configured time (`timeoutMs`, or the live `ackTimeoutMs`). */
export declare class TimeoutError extends NewsForumError {
    readonly code: 'timeout';
    readonly status: undefined;
    constructor(ms: number);
}
//# sourceMappingURL=timeout-error.d.ts.map