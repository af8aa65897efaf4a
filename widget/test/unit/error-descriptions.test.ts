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
  test('every invalid field’s reason, named as the form labels the field, when the server names them', () => {
    const error = new ApiError(
      problem({
        detail: 'The body does not match the schema',
        errors: [
          { pointer: '/body/title', detail: 'is required' },
          { pointer: '/body/url', detail: 'must be an http or https address with a host' },
          { pointer: '/body/displayName', detail: 'must not be blank' },
          { pointer: '', detail: 'must be an object' },
        ],
      }),
    );
    expect(describeError(error)).toBe(
      'Title is required; Link must be an http or https address with a host; Display name must not be blank; The request must be an object',
    );
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
