import { POST_SORTS, type PostSort, postOrder } from '@news-forum/protocol';
import { OrderedWindow } from '../../src/reads/ordered-window.js';
import { postCursor } from '../../src/reads/post-cursors.js';
import type { Page, StoredPost } from '../../src/store/store.js';

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function post(n: number, next: () => number): StoredPost {
  const upvotes = Math.floor(next() * 6);
  const downvotes = Math.floor(next() * 3);
  // Few distinct times, so ties fall to the id as in SQL.
  const createdAt = new Date(Date.UTC(2026, 0, 1 + Math.floor(next() * 4))).toISOString();
  return {
    id: id(n),
    title: `p${n}`,
    url: null,
    text: null,
    author: 'a',
    createdAt,
    upvotes,
    downvotes,
    score: upvotes - downvotes,
    commentCount: 0,
    version: 1,
  };
}

/** What the store would answer: the page after the item `cursor` points at, from the whole list. */
function reference(all: StoredPost[], sort: PostSort, limit: number, cursor: string | undefined): Page<StoredPost> {
  const sorted = [...all].sort(postOrder(sort));
  const cursorOf = postCursor(sort);
  const start = cursor === undefined ? 0 : sorted.findIndex((p) => cursorOf(p) === cursor) + 1;
  const rows = sorted.slice(start, start + limit + 1);
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? cursorOf(items.at(-1) as StoredPost) : null };
}

describe.each(POST_SORTS)('a window of %s', (sort) => {
  test('answers every page it answers exactly as the whole list would, through inserts, votes and deletions, read again when thin', () => {
    const next = random(POST_SORTS.indexOf(sort) + 1);
    const capacity = 6;
    let all = Array.from({ length: 15 }, (_, n) => post(n, next));
    let window = new OrderedWindow(postOrder(sort), postCursor(sort), capacity, reference(all, sort, capacity, undefined));
    let answered = 0;
    let created = all.length;
    for (let step = 0; step < 400; step++) {
      const roll = next();
      const victim = all[Math.floor(next() * all.length)];
      if (roll < 0.25 || !victim) {
        const fresh = post(created++, next);
        all.push(fresh);
        window.apply(null, fresh);
      } else if (roll < 0.4) {
        all = all.filter((p) => p !== victim);
        window.apply(victim, null);
      } else {
        const upvotes = Math.max(0, victim.upvotes + (next() < 0.5 ? 1 : -1));
        const changed = { ...victim, upvotes, score: upvotes - victim.downvotes, version: victim.version + 1 };
        all = all.map((p) => (p === victim ? changed : p));
        window.apply(victim, changed);
      }
      if (window.thin) window = new OrderedWindow(postOrder(sort), postCursor(sort), capacity, reference(all, sort, capacity, undefined));
      for (const limit of [1, 2, 3]) {
        let cursor: string | undefined;
        for (let page = 0; page < 6; page++) {
          const held = window.page(limit, cursor);
          if (!held) break;
          answered++;
          expect(held).toEqual(reference(all, sort, limit, cursor));
          if (!held.nextCursor) break;
          cursor = held.nextCursor;
        }
      }
    }
    // It answered, and not only empty lists.
    expect(answered).toBeGreaterThan(1000);
  });

  test('a cursor it does not hold, or a page past its boundary, is left to the store', () => {
    const next = random(99);
    const all = Array.from({ length: 10 }, (_, n) => post(n, next));
    const window = new OrderedWindow(postOrder(sort), postCursor(sort), 4, reference(all, sort, 4, undefined));
    expect(window.page(4, undefined)).toBeUndefined();
    expect(window.page(3, undefined)).toEqual(reference(all, sort, 3, undefined));
    expect(window.page(2, 'not-a-cursor-held')).toBeUndefined();
  });
});
