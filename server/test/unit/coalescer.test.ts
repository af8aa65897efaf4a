import { afterEach, beforeEach, expect, jest, test } from '@jest/globals';
import { Coalescer } from '../../src/realtime/coalescer.js';

interface Doc {
  id: string;
  version: number;
}
const doc = (id: string, version: number): Doc => ({ id, version });

let sent: { old_val: Doc | null; new_val: Doc | null }[];
let coalescer: Coalescer<Doc>;
beforeEach(() => {
  jest.useFakeTimers();
  sent = [];
  coalescer = new Coalescer<Doc>(50, (change) => sent.push(change));
});
afterEach(() => {
  jest.useRealTimers();
});

test('the first change of a document goes out at once, not after the window', () => {
  coalescer.push({ old_val: doc('a', 1), new_val: doc('a', 2) });
  expect(sent).toEqual([{ old_val: doc('a', 1), new_val: doc('a', 2) }]);
});

test('changes within the window fold into one carrying the latest version, sent when the window closes', () => {
  coalescer.push({ old_val: doc('a', 1), new_val: doc('a', 2) });
  for (let v = 2; v < 10; v += 1) coalescer.push({ old_val: doc('a', v), new_val: doc('a', v + 1) });
  expect(sent).toHaveLength(1);
  jest.advanceTimersByTime(49);
  expect(sent).toHaveLength(1);
  jest.advanceTimersByTime(1);
  expect(sent).toEqual([
    { old_val: doc('a', 1), new_val: doc('a', 2) },
    { old_val: doc('a', 2), new_val: doc('a', 10) },
  ]);
  // A quiet window afterwards sends nothing and closes; the next change is immediate again.
  jest.advanceTimersByTime(50);
  coalescer.push({ old_val: doc('a', 10), new_val: doc('a', 11) });
  expect(sent.at(-1)).toEqual({ old_val: doc('a', 10), new_val: doc('a', 11) });
});

test('documents are coalesced separately', () => {
  coalescer.push({ old_val: null, new_val: doc('a', 1) });
  coalescer.push({ old_val: null, new_val: doc('b', 1) });
  expect(sent.map((c) => c.new_val?.id)).toEqual(['a', 'b']);
});

test('a delete inside the window wins; created and deleted inside one window sends nothing more', () => {
  coalescer.push({ old_val: doc('a', 1), new_val: doc('a', 2) });
  coalescer.push({ old_val: doc('a', 2), new_val: null });
  jest.advanceTimersByTime(50);
  expect(sent.at(-1)).toEqual({ old_val: doc('a', 2), new_val: null });

  coalescer.push({ old_val: null, new_val: doc('b', 1) });
  coalescer.push({ old_val: null, new_val: doc('c', 1) });
  coalescer.push({ old_val: doc('c', 1), new_val: doc('c', 2) });
  coalescer.push({ old_val: doc('c', 2), new_val: null });
  const before = sent.length;
  jest.advanceTimersByTime(50);
  expect(sent.slice(before)).toEqual([{ old_val: doc('c', 1), new_val: null }]);
});

test('flush sends what is pending at once', () => {
  coalescer.push({ old_val: doc('a', 1), new_val: doc('a', 2) });
  coalescer.push({ old_val: doc('a', 2), new_val: doc('a', 3) });
  coalescer.flush();
  expect(sent.at(-1)).toEqual({ old_val: doc('a', 2), new_val: doc('a', 3) });
  jest.advanceTimersByTime(100);
  expect(sent).toHaveLength(2);
});

test('a zero window sends every change', () => {
  const all: unknown[] = [];
  const none = new Coalescer<Doc>(0, (change) => all.push(change));
  none.push({ old_val: doc('a', 1), new_val: doc('a', 2) });
  none.push({ old_val: doc('a', 2), new_val: doc('a', 3) });
  expect(all).toHaveLength(2);
});
