import { expect, test } from '@jest/globals';
import { LOAD_HORIZON_MS } from '../../src/loop-load.js';
import { type BatchOptions, BatchQueue, GATHER_BELOW } from '../../src/store/sql/batch-queue.js';
import { loaded, sleep } from '../support/event-loop.js';

/** A queue whose runs are recorded and finish when the test says so. */
function recorded(options: BatchOptions) {
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

test('with gatherMs, on a loaded event loop with small batches the items of several turns go as one batch', async () => {
  const { queue, batches, finishOne } = recorded({ slots: 1, max: 100, defer: true, gatherMs: 200 });
  loaded();
  // The first item has none before it to tell how far apart items come: it goes at the end of its turn.
  queue.push(0);
  await turn();
  expect(batches).toEqual([[0]]);
  await finishOne();
  queue.push(1);
  await turn();
  queue.push(2);
  await turn();
  queue.push(3);
  expect(batches).toEqual([[0]]);
  while (batches.length === 1) await sleep(5);
  expect(batches).toEqual([[0], [1, 2, 3]]);
});

test('with gatherMs, on a loaded event loop an item that comes long after the one before goes at the end of its turn', async () => {
  const { queue, batches, finishOne } = recorded({ slots: 1, max: 100, defer: true, gatherMs: 20 });
  queue.push(1);
  await turn();
  await finishOne();
  // Further apart than twice the gathering wait, as votes at 20 a second on a node busy with its sends.
  await sleep(50);
  loaded();
  queue.push(2);
  await turn();
  expect(batches).toEqual([[1], [2]]);
});

test('with gatherMs, on a loaded event loop whose batches are long the items of one turn go at its end', async () => {
  const { queue, batches, finishOne } = recorded({ slots: 1, max: 100, defer: true, gatherMs: 10_000 });
  for (let i = 1; i <= GATHER_BELOW; i++) queue.push(i);
  await turn();
  await finishOne();
  loaded();
  queue.push(10);
  await turn();
  expect(batches).toEqual([Array.from({ length: GATHER_BELOW }, (_, i) => i + 1), [10]]);
});

test('with gatherBelow, on a loaded event loop batches shorter than it still gather, and those as long go at the end of the turn', async () => {
  const { queue, batches, finishOne } = recorded({ slots: 1, max: 100, defer: true, gatherMs: 200, gatherBelow: 5 });
  for (let i = 1; i <= 4; i++) queue.push(i);
  await turn();
  await finishOne();
  loaded();
  // The last batch held 4, fewer than 5: the next item waits for company, and what comes within the wait joins it.
  queue.push(10);
  await turn();
  queue.push(11);
  expect(batches).toEqual([[1, 2, 3, 4]]);
  while (batches.length === 1) await sleep(5);
  expect(batches).toEqual([
    [1, 2, 3, 4],
    [10, 11],
  ]);
  await finishOne();
  for (let i = 20; i < 25; i++) queue.push(i);
  await turn();
  await finishOne();
  loaded();
  // The last batch held 5: the turn alone gathers.
  queue.push(30);
  await turn();
  expect(batches.at(-1)).toEqual([30]);
});

test('with gatherMs, on a calm event loop the items of one turn go at its end, as without it', async () => {
  const { queue, batches, finishOne } = recorded({ slots: 1, max: 100, defer: true, gatherMs: 10_000 });
  // Quiet for a while: whatever ran before this test is no longer load.
  await sleep(3 * LOAD_HORIZON_MS);
  queue.push(1);
  queue.push(2);
  await turn();
  expect(batches).toEqual([[1, 2]]);
  await finishOne();
  queue.push(3);
  await turn();
  expect(batches).toEqual([[1, 2], [3]]);
});
