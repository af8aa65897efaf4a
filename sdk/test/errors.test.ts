import { describe, expect, it } from '@jest/globals';
import { ApiError, isNewsForumError, NetworkError, NewsForumError, TimeoutError } from '../src/index.js';

describe('errors', () => {
  it('share one base class with stable codes and JSON forms', () => {
    const cause = new TypeError('fetch failed');
    const network = new NetworkError('The request failed before an answer arrived', { cause });
    const aborted = new NetworkError('The request was aborted', { aborted: true });
    const timeout = new TimeoutError(250);
    for (const error of [network, aborted, timeout]) {
      expect(error).toBeInstanceOf(NewsForumError);
      expect(error).toBeInstanceOf(Error);
      expect(isNewsForumError(error)).toBe(true);
      expect(error.status).toBeUndefined();
    }
    expect(network.cause).toBe(cause);
    expect([network.code, aborted.code, timeout.code]).toEqual(['network_error', 'aborted', 'timeout']);
    expect(timeout.toJSON()).toEqual({ name: 'TimeoutError', code: 'timeout', message: 'No answer within 250 ms' });
  });

  it('take the request id from the header, else from the problem', () => {
    const problem = {
      type: 'urn:news-forum:problem:not-found',
      title: 'Not found',
      status: 404,
      detail: 'No post 42',
      requestId: 'from-body',
    };
    expect(new ApiError(problem, 'from-header').requestId).toBe('from-header');
    const error = new ApiError(problem);
    expect(error.requestId).toBe('from-body');
    expect(error.message).toBe('No post 42');
    expect(error.type).toBe('urn:news-forum:problem:not-found');
    expect(error.name).toBe('ApiError');
  });

  it('are not confused with other errors or look-alikes', () => {
    expect(isNewsForumError(new Error('x'))).toBe(false);
    expect(isNewsForumError({ code: 'timeout', message: 'x' })).toBe(false);
    expect(isNewsForumError(null)).toBe(false);
    expect(isNewsForumError('timeout')).toBe(false);
  });
});
