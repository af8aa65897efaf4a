import { describe, expect, test } from '@jest/globals';
import {
  type Change,
  changeOfDelta,
  changeOfPatch,
  type Delta,
  deltaOfChange,
  HeldDocuments,
  isPatch,
  type LivePost,
  MAX_HELD_POSTS,
  type Patch,
  patchOfChange,
} from '../src/index.js';

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

describe('patches', () => {
  const sent = (patch: Patch<LivePost>) => JSON.parse(JSON.stringify(patch)) as Patch<LivePost>;

  test('a vote carries only the fields it changed and the version it applies to, under a third of its delta', () => {
    const after = { ...post, upvotes: 5, score: 4, version: 8 };
    const patch = patchOfChange({ old_val: post, new_val: after });
    expect(patch).toEqual({ id: post.id, base: 7, set: { upvotes: 5, score: 4, version: 8 } });
    expect(isPatch(patch!)).toBe(true);
    expect(isPatch(deltaOfChange({ old_val: post, new_val: after }))).toBe(false);
    expect(changeOfPatch(post, sent(patch!))).toEqual({ old_val: post, new_val: after });
    expect(JSON.stringify(patch).length).toBeLessThan(0.33 * JSON.stringify(deltaOfChange({ old_val: post, new_val: after })).length);
  });

  test('fields that became null or appeared are set; an update that drops a field, an insert and a delete have no patch', () => {
    const edited = { ...post, url: null, editedAt: '2026-12-04T12:05:00.000Z', version: 8 };
    expect(changeOfPatch(post, sent(patchOfChange({ old_val: post, new_val: edited })!))).toEqual({ old_val: post, new_val: edited });
    const locked: LivePost = { ...post, locked: true, version: 8 };
    expect(patchOfChange({ old_val: locked, new_val: { ...post, version: 9 } })).toBeUndefined();
    expect(patchOfChange({ old_val: null, new_val: post })).toBeUndefined();
    expect(patchOfChange({ old_val: post, new_val: null })).toBeUndefined();
  });

  test('a patch applies only to its post held at its base version', () => {
    const patch = patchOfChange({ old_val: post, new_val: { ...post, upvotes: 5, score: 4, version: 8 } })!;
    expect(changeOfPatch(undefined, patch)).toBeUndefined();
    expect(changeOfPatch({ ...post, version: 6 }, patch)).toBeUndefined();
    expect(changeOfPatch({ ...post, upvotes: 5, score: 4, version: 8 }, patch)).toBeUndefined();
  });
});

describe('held documents', () => {
  test('turn deltas and patches back into changes, forget deleted documents, and refuse a patch they cannot apply', () => {
    const held = new HeldDocuments<LivePost>();
    const voted = { ...post, upvotes: 5, score: 4, version: 8 };
    const patch = patchOfChange({ old_val: post, new_val: voted })!;
    expect(held.changeOf(patch)).toBeUndefined();
    expect(held.changeOf(deltaOfChange({ old_val: null, new_val: post }))).toEqual({ old_val: null, new_val: post });
    expect(held.changeOf(patch)).toEqual({ old_val: post, new_val: voted });
    expect(held.changeOf(patch)).toBeUndefined();
    expect(held.changeOf(deltaOfChange({ old_val: voted, new_val: null }))).toEqual({ old_val: voted, new_val: null });
    expect(held.changeOf(patchOfChange({ old_val: voted, new_val: { ...voted, version: 9 } })!)).toBeUndefined();
  });

  test('hold at most their capacity, dropping the least recently sent: a patch of that one is refused, of the others applied', () => {
    const held = new HeldDocuments<LivePost>(2);
    const a: LivePost = { ...post, id: 'a' };
    const b: LivePost = { ...post, id: 'b' };
    const c: LivePost = { ...post, id: 'c' };
    for (const doc of [a, b]) held.changeOf(deltaOfChange({ old_val: null, new_val: doc }));
    // Sent again, a is the most recent: c's arrival drops b.
    const a8 = { ...a, upvotes: 5, version: 8 };
    expect(held.changeOf(patchOfChange({ old_val: a, new_val: a8 })!)).toEqual({ old_val: a, new_val: a8 });
    held.changeOf(deltaOfChange({ old_val: null, new_val: c }));
    expect([held.has('a'), held.has('b'), held.has('c')]).toEqual([true, false, true]);
    expect(held.changeOf(patchOfChange({ old_val: b, new_val: { ...b, version: 8 } })!)).toBeUndefined();
    expect(held.changeOf(patchOfChange({ old_val: c, new_val: { ...c, version: 8 } })!)).toBeDefined();
    expect(new HeldDocuments().has('a')).toBe(false);
    expect(MAX_HELD_POSTS).toBeGreaterThanOrEqual(100);
  });
});
