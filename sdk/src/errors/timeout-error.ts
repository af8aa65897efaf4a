import { NewsForumError } from './news-forum-error.js';

/** No answer within the configured time (`timeoutMs`, or the live `ackTimeoutMs`). */
export class TimeoutError extends NewsForumError {
  declare readonly code: 'timeout';
  declare readonly status: undefined;

  constructor(ms: number) {
    super('timeout', `No answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}
