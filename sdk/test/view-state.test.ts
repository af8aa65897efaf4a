import { describe, expect, it } from '@jest/globals';
import { commentOrder, postOrder } from '@news-forum/protocol';
import { type Change, type Comment, hotRank, type LivePost } from '../src/index.js';
import {
  applyChange,
  applyPage,
  applySnapshot,
  dropUnseen,
  emptyViewState,
  isCutSnapshot,
  type ViewSpec,
  type ViewState,
  viewItems,
} from '../src/live/view-state.js';
import { comment, post, voted } from './support/fixtures.js';

const hot: ViewSpec<LivePost> = { compare: postOrder('hot') };
const ids = (state: ViewState<LivePost>, spec = hot) => viewItems(state, spec).items.map((p) => p.title);
const insert = <T>(doc: T): Change<T> => ({ old_val: null, new_val: doc });
const update = <T>(before: T, after: T): Change<T> => ({ old_val: before, new_val: after });
const remove = <T>(doc: T): Change<T> => ({ old_val: doc, new_val: null });

describe('version rule', () => {
  const a = post({ title: 'a' });
  const start = applySnapshot(emptyViewState<LivePost>(), [a], hot);

  it('applies a newer update and drops an equal or older one', () => {
    const a2 = voted(a, 1);
    const a3 = voted(a2, 2);
    let state = applyChange(start, update(a, a2), hot);
    state = applyChange(state, update(a2, a3), hot);
    expect(state.docs.get(a.id)).toBe(a3);
    expect(applyChange(state, update(a, a2), hot)).toBe(state);
    expect(applyChange(state, update(a2, { ...a3, upvotes: 99 }), hot)).toBe(state);
  });

  it('removes on delete and keeps a tombstone against a late, older insert', () => {
    const a2 = voted(a, 1);
    let state = applyChange(start, update(a, a2), hot);
    state = applyChange(state, remove(a2), hot);
    expect(state.docs.has(a.id)).toBe(false);
    expect(state.tombstones.get(a.id)).toBe(2);
    expect(applyChange(state, insert(a), hot)).toBe(state);
    expect(applyChange(state, update(a, a2), hot)).toBe(state);
    expect(applyChange(state, remove(a), hot)).toBe(state);
  });

  it('tombstones a document it never held, so its late insert stays out', () => {
    const b = post({ title: 'b' });
    const state = applyChange(start, remove(b), hot);
    expect(state.tombstones.get(b.id)).toBe(1);
    expect(applyChange(state, insert(b), hot)).toBe(state);
  });

  it('ignores a change with neither value', () => {
    expect(applyChange(start, { old_val: null, new_val: null }, hot)).toBe(start);
  });
});

describe('snapshot reconciliation', () => {
  it('replaces the state, drops documents absent from the snapshot, keeps newer held versions', () => {
    const [a, b, c] = [post({ title: 'a' }), post({ title: 'b' }), post({ title: 'c' })];
    let state = applySnapshot(emptyViewState<LivePost>(), [a, b, c], hot);
    const a3 = voted(voted(a, 1), 2);
    state = applyChange(state, insert(a3), hot);
    const fresh = [voted(a, 1), voted(b, 5)];
    state = applySnapshot(state, fresh, hot);
    expect(state.docs.get(a.id)).toBe(a3);
    expect(state.docs.get(b.id)).toEqual(fresh[1]);
    expect(state.docs.has(c.id)).toBe(false);
  });

  it('does not resurrect a tombstoned document unless the snapshot is newer', () => {
    const a = post({ title: 'a' });
    let state = applySnapshot(emptyViewState<LivePost>(), [a], hot);
    state = applyChange(state, remove(a), hot);
    expect(applySnapshot(state, [a], hot).docs.size).toBe(0);
    expect(applySnapshot(state, [voted(a, 1)], hot).docs.size).toBe(1);
  });

  it('keeps only the tombstones a snapshot still lags behind', () => {
    const [a, b, c] = [post({ title: 'a' }), post({ title: 'b' }), post({ title: 'c' })];
    let state = applySnapshot(emptyViewState<LivePost>(), [a, b, c], hot);
    for (const doc of [a, b, c]) state = applyChange(state, remove(doc), hot);
    state = applySnapshot(state, [a, voted(b, 1)], hot);
    expect([...state.tombstones]).toEqual([[a.id, 1]]);
    expect(ids(state)).toEqual([b.title]);
  });

  it('replays changes that raced the snapshot into the same end state, in any order', () => {
    const a = post({ title: 'a' });
    const a2 = voted(a, 1);
    const a3 = voted(a2, 2);
    const b = post({ title: 'b' });
    const changes = [update(a, a2), insert(b), update(a2, a3), remove(b)];
    const orders = [changes, [...changes].reverse(), [changes[2]!, changes[0]!, changes[3]!, changes[1]!]];
    for (const order of orders) {
      let state = applySnapshot(emptyViewState<LivePost>(), [a2], hot);
      for (const change of order) state = applyChange(state, change, hot);
      expect([...state.docs.values()]).toEqual([a3]);
    }
  });
});

describe('ordering', () => {
  it('ranks hot by hotRank, then by id descending like the server', () => {
    const older = post({ title: 'older', upvotes: 10 });
    const newer = post({ title: 'newer', upvotes: 10 });
    // Created 1 ms apart: the same hotRank (it is rounded to 1e-7).
    const twin = post({ title: 'twin', upvotes: 10, createdAt: new Date(Date.parse(newer.createdAt) - 1).toISOString() });
    const sunk = post({ title: 'sunk', downvotes: 3 });
    expect(hotRank(twin)).toBe(hotRank(newer));
    expect(hotRank(newer)).toBeGreaterThan(hotRank(older));
    const state = applySnapshot(emptyViewState<LivePost>(), [sunk, older, newer, twin], hot);
    expect(ids(state)).toEqual(['twin', 'newer', 'older', 'sunk']);
  });

  it('orders new by creation time and top by score', () => {
    const [a, b, c] = [post({ title: 'a', upvotes: 5 }), post({ title: 'b', upvotes: 1 }), post({ title: 'c', upvotes: 5, downvotes: 1 })];
    const state = applySnapshot(emptyViewState<LivePost>(), [a, b, c], hot);
    expect(ids(state, { compare: postOrder('new') })).toEqual(['c', 'b', 'a']);
    expect(ids(state, { compare: postOrder('top') })).toEqual(['a', 'c', 'b']);
  });

  it('lists comments oldest first, trimmed to the limit', () => {
    const p = post();
    const [x, y, z] = [comment(p.id), comment(p.id), comment(p.id)];
    let state = applySnapshot(emptyViewState<Comment>(), [z, x], { compare: commentOrder });
    state = applyChange(state, insert(y), { compare: commentOrder });
    expect(viewItems(state, { compare: commentOrder }).items).toEqual([x, y, z]);
    expect(viewItems(state, { compare: commentOrder, limit: 2 }).items).toEqual([x, y]);
  });
});

describe('comments view: snapshots cut at a size, the view uncut', () => {
  const spec: ViewSpec<Comment> = { compare: commentOrder, snapshotLimit: 2 };
  const p = post();
  const [x, y, z, w] = [comment(p.id), comment(p.id), comment(p.id), comment(p.id)];
  const texts = (state: ViewState<Comment>) => viewItems(state, spec).items.map((c) => c.text);

  it('shows comments newer than a full snapshot', () => {
    let state = applySnapshot(emptyViewState<Comment>(), [x, y], spec);
    state = applyChange(state, insert(z), spec);
    expect(viewItems(state, spec)).toEqual({ items: [x, y, z], complete: true });
  });

  it('keeps them across a new full snapshot, but drops held ones the snapshot covers', () => {
    let state = applySnapshot(emptyViewState<Comment>(), [x, y], spec);
    state = applyChange(state, insert(z), spec);
    state = applyChange(state, insert(w), spec);
    expect(texts(applySnapshot(state, [x, y], spec))).toEqual([x, y, z, w].map((c) => c.text));
    // A short snapshot is the whole list: what it lacks is gone.
    expect(texts(applySnapshot(state, [x], spec))).toEqual([x.text]);
    // y is absent from a full snapshot ending after it: deleted.
    expect(texts(applySnapshot(state, [x, z], spec))).toEqual([x, z, w].map((c) => c.text));
  });

  it('lets a document the pages showed gone come back at the same version, not an older one', () => {
    // z streamed by one node; the pages of a node whose feed lags lack it: gone, until that node streams it too.
    const z2 = { ...z, version: 2, text: 'edited' };
    let state = applySnapshot(emptyViewState<Comment>(), [x, y], spec);
    state = applyChange(state, insert(z2), spec);
    state = dropUnseen(state, [z2], new Set([x.id, y.id]), undefined, spec);
    expect(texts(state)).toEqual([x.text, y.text]);
    expect(applyChange(state, insert(z), spec)).toBe(state);
    expect(texts(applyChange(state, insert(z2), spec))).toEqual([x.text, y.text, 'edited']);
    // Deleted for real: the deletion that follows takes it out for good.
    state = applyChange(state, remove(z2), spec);
    expect(applyChange(state, insert(z2), spec)).toBe(state);
  });
});

describe('horizon of a snapshot cut at the limit', () => {
  const spec: ViewSpec<LivePost> = { compare: postOrder('top'), limit: 2 };
  const [a, b] = [post({ title: 'a', upvotes: 9 }), post({ title: 'b', upvotes: 5 })];
  const start = applySnapshot(emptyViewState<LivePost>(), [a, b], spec);

  it('takes in a post that rises above it', () => {
    const c = voted(post({ title: 'c', upvotes: 4 }), 7);
    const view = viewItems(applyChange(start, update({ ...c, version: 1 }, c), spec), spec);
    expect(view).toEqual({ items: [a, c], complete: true });
  });

  it('shows a short, correct list and asks for more when a post sinks below it', () => {
    const sunk = voted(a, 9, 9);
    const view = viewItems(applyChange(start, update(a, sunk), spec), spec);
    expect(view).toEqual({ items: [b], complete: false });
  });

  it('does not hold posts ranking below it, and lets go of one that sinks there', () => {
    const low = post({ title: 'low' });
    const c = post({ title: 'c', upvotes: 7 });
    let state = applyChange(start, insert(low), spec);
    expect(state).toBe(start);
    state = applyChange(state, insert(c), spec);
    expect([...state.docs.keys()]).toEqual([a.id, b.id, c.id]);
    state = applyChange(state, update(c, voted(c, 0)), spec);
    expect([...state.docs.keys()]).toEqual([a.id, b.id]);
  });

  it('has no horizon when the snapshot was shorter than the limit', () => {
    const state = applySnapshot(emptyViewState<LivePost>(), [a], spec);
    expect(state.horizon).toBeUndefined();
    expect(viewItems(applyChange(state, update(a, voted(a, 0, 5)), spec), spec).complete).toBe(true);
  });
});

describe('pages fetched by REST', () => {
  const spec: ViewSpec<Comment> = { compare: commentOrder, snapshotLimit: 2 };
  const p = post();
  const [x, y, z] = [comment(p.id), comment(p.id), comment(p.id)];

  it('takes in documents it lacks, keeping newer held versions', () => {
    const y2 = { ...y, text: 'edited', version: 2 };
    const state = applyPage(applySnapshot(emptyViewState<Comment>(), [x, y2], spec), [x, y, z], spec);
    expect(viewItems(state, spec).items).toEqual([x, y2, z]);
  });

  it('keeps a document deleted before its page arrived out', () => {
    const state = applyChange(applySnapshot(emptyViewState<Comment>(), [x, y], spec), remove(z), spec);
    expect(applyPage(state, [z], spec)).toBe(state);
  });

  it('tells a snapshot cut at the snapshot size from a whole one', () => {
    expect(isCutSnapshot([x, y], spec)).toBe(true);
    expect(isCutSnapshot([x], spec)).toBe(false);
    expect(isCutSnapshot([x, y], { compare: commentOrder })).toBe(false);
  });
});
