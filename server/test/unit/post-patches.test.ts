import { expect, test } from '@jest/globals';
import { type Change, HeldDocuments, isPatch, type LivePost } from '@news-forum/protocol';
import fc from 'fast-check';
import { PostPatches } from '../../src/realtime/post-patches.js';

const CAPACITY = 3;
const IDS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];

const post = (id: string, version: number, extra: Partial<LivePost> = {}): LivePost => ({
  id,
  title: `Post ${id}`,
  url: null,
  text: 'text',
  author: 'ana',
  createdAt: '2026-12-04T12:00:00.000Z',
  upvotes: version,
  downvotes: 0,
  score: version,
  commentCount: 0,
  version,
  ...extra,
});

/** A step of the room: a change of one post (insert, vote, an update that drops a field, delete) or a socket joining. */
type Step = { join: true } | { id: string; kind: 'write' | 'drop' | 'delete' };
const steps = fc.array(
  fc.oneof(
    { weight: 1, arbitrary: fc.constant<Step>({ join: true }) },
    {
      weight: 8,
      arbitrary: fc.record({
        id: fc.constantFrom(...IDS),
        kind: fc.constantFrom('write' as const, 'write' as const, 'drop' as const, 'delete' as const),
      }),
    },
  ),
  { maxLength: 120 },
);

test('every socket of the room can apply every item it is sent, however many posts pass through it and whenever it joined', () => {
  let patches = 0;
  fc.assert(
    fc.property(steps, (run) => {
      const node = new PostPatches(CAPACITY);
      const posts = new Map<string, LivePost>();
      const sockets: HeldDocuments<LivePost>[] = [new HeldDocuments(CAPACITY)];
      for (const step of run) {
        if ('join' in step) {
          // The newcomer holds nothing yet; its subscription makes the node forget what the room held.
          sockets.push(new HeldDocuments(CAPACITY));
          node.forget();
          continue;
        }
        const before = posts.get(step.id) ?? null;
        let after: LivePost | null = null;
        if (step.kind !== 'delete') {
          const version = (before?.version ?? 0) + 1;
          // Every other write carries `locked`, which the next drops: an update that removes a field.
          after = post(step.id, version, step.kind === 'write' && version % 2 === 0 ? { locked: true } : {});
        }
        if (!before && !after) continue;
        if (after) posts.set(step.id, after);
        else posts.delete(step.id);
        const change: Change<LivePost> = { old_val: before, new_val: after };
        const item = JSON.parse(JSON.stringify(node.encode(change)));
        if (isPatch(item)) patches += 1;
        for (const socket of sockets) expect(socket.changeOf(item)).toEqual(change);
      }
    }),
    { numRuns: 300 },
  );
  // The runs did patch: the property is not met by sending everything whole.
  expect(patches).toBeGreaterThan(100);
});

test('an update of a post the room holds goes as a patch; of one it no longer holds, whole', () => {
  const node = new PostPatches(2);
  const a = post('a', 1);
  expect(isPatch(node.encode({ old_val: null, new_val: a }))).toBe(false);
  expect(isPatch(node.encode({ old_val: a, new_val: post('a', 2) }))).toBe(true);
  node.encode({ old_val: null, new_val: post('b', 1) });
  node.encode({ old_val: null, new_val: post('c', 1) });
  // b and c were sent after a: a has left what the room holds.
  expect(isPatch(node.encode({ old_val: post('a', 2), new_val: post('a', 3) }))).toBe(false);
  expect(isPatch(node.encode({ old_val: post('c', 1), new_val: post('c', 2) }))).toBe(true);
  node.forget();
  expect(isPatch(node.encode({ old_val: post('c', 2), new_val: post('c', 3) }))).toBe(false);
});
