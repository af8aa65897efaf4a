import { NewsForumError } from './news-forum-error.js';
/**
 * No usable answer from the server: the connection failed or broke, the
 * body could not be read, or (`code: 'aborted'`) the caller's signal fired.
 */
export declare class NetworkError extends NewsForumError {
    readonly code: 'network_error' | 'aborted';
    readonly status: undefined;
    constructor(message: string, options?: {
        aborted?: boolean;
        cause?: unknown;
    });
}
//# sourceMappingURL=network-error.d.ts.map