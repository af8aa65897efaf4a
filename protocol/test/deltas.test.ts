import { describe, expect, test } from '@jest/globals';
import { type Change, changeOfDelta, type Delta, deltaOfChange, type LivePost } from '../src/index.js';

const post: LivePost = {
  id: '0b5c5f0e-5a52-4f57-8f55-3c1f7a4c2d10',
  title: 'A post with a title of a usual length',
  url: 'https://example.com/articles/1',
  text: null,
  author: 'ana',
  createdAt: '2026-12-04T12:00:00.000Z',
  upvotes: 4,
  downvotes: 1,
  score: 3,
  commentCount: 2,
  version: 7,
};

const roundTrip = (change: Change<LivePost>) => changeOfDelta(JSON.parse(JSON.stringify(deltaOfChange(change))) as Delta<LivePost>);

describe('deltas', () => {
  test('an insert carries the new document, a delete the old one', () => {
    expect(deltaOfChange({ old_val: null, new_val: post })).toEqual({ new_val: post });
    expect(deltaOfChange({ old_val: post, new_val: null })).toEqual({ old_val: post });
    expect(roundTrip({ old_val: null, new_val: post })).toEqual({ old_val: null, new_val: post });
    expect(roundTrip({ old_val: post, new_val: null })).toEqual({ old_val: post, new_val: null });
  });

  test('a vote carries the new document and the old values of the fields it changed', () => {
    const after = { ...post, upvotes: 5, score: 4, version: 8 };
    const delta = deltaOfChange({ old_val: post, new_val: after });
    expect(delta).toEqual({ new_val: after, was: { upvotes: 4, score: 3, version: 7 } });
    expect(roundTrip({ old_val: post, new_val: after })).toEqual({ old_val: post, new_val: after });
    expect(JSON.stringify(delta).length).toBeLessThan(0.6 * JSON.stringify({ old_val: post, new_val: after }).length);
  });

  test('fields that became null, stopped being null, appeared or went away come back as they were', () => {
    const edited = { ...post, url: null, text: 'Now with a text', editedAt: '2026-12-04T12:05:00.000Z', version: 8 };
    expect(roundTrip({ old_val: post, new_val: edited })).toEqual({ old_val: post, new_val: edited });
    const locked: LivePost = { ...post, locked: true, version: 8 };
    const back = roundTrip({ old_val: locked, new_val: { ...post, version: 9 } });
    expect(back).toEqual({ old_val: locked, new_val: { ...post, version: 9 } });
    expect(back.old_val).toHaveProperty('locked', true);
    const reopened = roundTrip({ old_val: post, new_val: locked });
    expect(reopened.old_val).not.toHaveProperty('locked');
    expect(reopened).toEqual({ old_val: post, new_val: locked });
  });
});
