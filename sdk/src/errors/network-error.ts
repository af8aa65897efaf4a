import { NewsForumError } from './news-forum-error.js';

/**
 * No usable answer from the server: the connection failed or broke, the
 * body could not be read, or (`code: 'aborted'`) the caller's signal fired.
 */
export class NetworkError extends NewsForumError {
  declare readonly code: 'network_error' | 'aborted';
  declare readonly status: undefined;

  constructor(message: string, options: { aborted?: boolean; cause?: unknown } = {}) {
    super(options.aborted ? 'aborted' : 'network_error', message, { cause: options.cause });
    this.name = 'NetworkError';
  }
}
