import type { NewsForumError } from '@news-forum/sdk';

/** A sentence for the reader: the server's own words when it answered, else what went wrong on the way. */
export function describeError(error: NewsForumError): string {
  switch (error.code) {
    case 'api_error': {
      const problem = error.problem;
      const fields = problem?.errors?.map((entry) => entry.detail).join('; ');
      return fields || problem?.detail || problem?.title || error.message;
    }
    case 'timeout':
      return 'The forum did not answer in time. Please try again.';
    case 'aborted':
      return 'Cancelled.';
    default:
      return 'Cannot reach the forum. It may be down, or it may not allow this site.';
  }
}
