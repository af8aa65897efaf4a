import { describe, expect, test } from '@jest/globals';
import { ApiError, NetworkError, type Problem, TimeoutError } from '@news-forum/sdk';
import { describeError } from '../../src/news-forum/describe-error.js';

const problem = (extra: Partial<Problem> = {}): Problem => ({
  type: 'urn:news-forum:problem:invalid',
  title: 'Invalid request',
  status: 422,
  ...extra,
});

describe('what the reader is told when the server refused', () => {
  test('every invalid field’s reason, when the server names them', () => {
    const error = new ApiError(
      problem({
        detail: 'The request is invalid',
        errors: [
          { pointer: '/title', detail: 'Title is required' },
          { pointer: '/url', detail: 'URL must be http(s)' },
        ],
      }),
    );
    expect(describeError(error)).toBe('Title is required; URL must be http(s)');
  });

  test('the detail, else the title', () => {
    expect(describeError(new ApiError(problem({ detail: 'That login is taken' })))).toBe('That login is taken');
    expect(describeError(new ApiError(problem()))).toBe('Invalid request');
  });
});

describe('what the reader is told when no answer came', () => {
  test('a timeout asks to try again', () => {
    expect(describeError(new TimeoutError(30_000))).toBe('The forum did not answer in time. Please try again.');
  });

  test('a cancelled request says so', () => {
    expect(describeError(new NetworkError('aborted', { aborted: true }))).toBe('Cancelled.');
  });

  test('a network failure says the forum cannot be reached, not the browser’s words', () => {
    expect(describeError(new NetworkError('Failed to fetch'))).toBe(
      'Cannot reach the forum. It may be down, or it may not allow this site.',
    );
  });
});
