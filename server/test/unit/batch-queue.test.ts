import { expect, test } from '@jest/globals';
import { BatchQueue } from '../../src/store/sql/batch-queue.js';

/** A queue whose runs are recorded and finish when the test says so. */
function recorded(options: { slots: number; max: number; defer: boolean }) {
  const batches: number[][] = [];
  const finishers: (() => void)[] = [];
  const queue = new BatchQueue<number>(
    (batch) =>
      new Promise<void>((resolve) => {
        batches.push(batch);
        finishers.push(resolve);
      }),
    options,
  );
  const finishOne = async () => {
    finishers.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { queue, batches, finishOne };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('without defer the first item goes at once and those that wait for a slot go together, in order', async () => {
  const { queue, batches, finishOne } = recorded({ slots: 1, max: 100, defer: false });
  queue.push(1);
  expect(batches).toEqual([[1]]);
  for (let i = 2; i <= 6; i++) queue.push(i);
  expect(batches).toEqual([[1]]);
  await finishOne();
  expect(batches).toEqual([[1], [2, 3, 4, 5, 6]]);
  await finishOne();
  queue.push(7);
  expect(batches).toEqual([[1], [2, 3, 4, 5, 6], [7]]);
});

test('with defer the items of one event-loop turn go as one batch, after the turn', async () => {
  const { queue, batches, finishOne } = recorded({ slots: 1, max: 100, defer: true });
  for (let i = 1; i <= 5; i++) queue.push(i);
  expect(batches).toEqual([]);
  await turn();
  expect(batches).toEqual([[1, 2, 3, 4, 5]]);
  queue.push(6);
  await turn();
  // The slot is still busy: 6 waits for it.
  expect(batches).toEqual([[1, 2, 3, 4, 5]]);
  queue.push(7);
  await finishOne();
  expect(batches).toEqual([
    [1, 2, 3, 4, 5],
    [6, 7],
  ]);
});

test('no more than `slots` batches run at once and none holds more than `max` items; every item runs once', async () => {
  const { queue, batches, finishOne } = recorded({ slots: 2, max: 3, defer: false });
  for (let i = 1; i <= 10; i++) queue.push(i);
  expect(batches).toEqual([[1], [2]]);
  while (batches.flat().length < 10) await finishOne();
  expect(batches.flat()).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(3);
});
