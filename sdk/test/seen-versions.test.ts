import { describe, expect, it } from '@jest/globals';
import type { Change, LivePost } from '../src/index.js';
import { SeenVersions } from '../src/live/seen-versions.js';
import { post, voted } from './support/fixtures.js';

describe('SeenVersions', () => {
  it('forgets the documents a snapshot lacks, so their changes are news again, but not their deletions', () => {
    const [a, b, c] = [post(), post(), post()];
    const seen = new SeenVersions();
    seen.recordSnapshot([a, c]);
    const changes: Change<LivePost>[] = [
      { old_val: null, new_val: b },
      { old_val: a, new_val: voted(a, 1) },
      { old_val: c, new_val: null },
    ];
    expect(changes.map((change) => seen.isNew(change))).toEqual([true, true, true]);
    // As after a reconnect to a node that has not seen those changes yet.
    seen.recordSnapshot([a]);
    expect(changes.map((change) => seen.isNew(change))).toEqual([true, false, false]);
    expect(changes.map((change) => seen.isNew(change))).toEqual([false, false, false]);
  });
});
