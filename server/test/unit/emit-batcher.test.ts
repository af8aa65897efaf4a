import { expect, test } from '@jest/globals';
import { LOAD_HORIZON_MS } from '../../src/loop-load.js';
import { type BatchWindow, EmitBatcher } from '../../src/realtime/emit-batcher.js';
import { busy, calm, idle, loaded, sleep } from '../support/event-loop.js';

// Real timers throughout. Nothing here asserts how fast anything is: what is sent together and in what order
// follows from the order in which timers fire, which a slow machine keeps.
/** A fixed window, as long as `maxMs` whatever sending costs. */
const fixed = (maxMs: number): BatchWindow => ({ maxMs, costFactor: Number.POSITIVE_INFINITY });

function recorder(window: BatchWindow, sendCostMs = 0) {
  const sent: number[][] = [];
  const batcher = new EmitBatcher<number>(window, (items) => {
    sent.push(items);
    busy(sendCostMs);
  });
  return { sent, batcher };
}

/** Resolves once `sent` holds `count` messages; the test's timeout bounds it. */
async function messages(sent: number[][], count: number) {
  while (sent.length < count) await sleep(5);
}

/** Resolves once the turn that called it has ended, its promise jobs and ticks included. */
const turnEnds = () => new Promise((resolve) => setImmediate(resolve));

test('the first item after a quiet spell goes out alone at the end of its turn', async () => {
  const { sent, batcher } = recorder({ maxMs: 50, costFactor: 1 });
  batcher.push(1);
  expect(sent).toEqual([]);
  await turnEnds();
  expect(sent).toEqual([[1]]);
  batcher.flush();
});

test('items pushed in one turn go out together, in the order they came, also when each came on a promise job of its own', async () => {
  const { sent, batcher } = recorder({ maxMs: 50, costFactor: 1 });
  batcher.push(1);
  await Promise.resolve();
  batcher.push(2);
  queueMicrotask(() => batcher.push(3));
  await turnEnds();
  expect(sent).toEqual([[1, 2, 3]]);
  batcher.flush();
});

test('items within a window go out together when it ends, in the order they came', async () => {
  const { sent, batcher } = recorder(fixed(200));
  batcher.push(1);
  await turnEnds();
  for (let i = 2; i <= 5; i += 1) {
    batcher.push(i);
    await turnEnds();
  }
  expect(sent).toEqual([[1]]);
  await messages(sent, 2);
  expect(sent).toEqual([[1], [2, 3, 4, 5]]);
});

test('on a calm event loop a send of one item opens no window, however long it takes: each turn sends what came in it', async () => {
  await calm();
  const { sent, batcher } = recorder({ maxMs: 1_000, costFactor: 1 }, 20);
  // No idle time between the turns: each item came while the send before it held the loop, as after a stall.
  for (let i = 1; i <= 3; i += 1) {
    batcher.push(i);
    await turnEnds();
  }
  expect(sent).toEqual([[1], [2], [3]]);
  batcher.flush();
});

test('a turn that brought several items, as a burst does, opens a window behind their send: the next turns wait in it', async () => {
  await calm();
  const { sent, batcher } = recorder({ maxMs: 1_000, costFactor: 1 }, 20);
  batcher.push(1);
  batcher.push(2);
  await turnEnds();
  batcher.push(3);
  batcher.push(4);
  expect(sent).toEqual([[1, 2]]);
  await messages(sent, 2);
  expect(sent).toEqual([
    [1, 2],
    [3, 4],
  ]);
  batcher.flush();
});

test('on a loaded event loop a send that takes time opens a window: what follows it waits and goes out together', async () => {
  const { sent, batcher } = recorder({ maxMs: 1_000, costFactor: 1 }, 5);
  // Loaded (busy about 78 % of the time lately) but not saturated: the window is sized by the send's cost.
  busy(1.5 * LOAD_HORIZON_MS);
  batcher.push(1);
  await turnEnds();
  batcher.push(2);
  batcher.push(3);
  expect(sent).toEqual([[1]]);
  await messages(sent, 2);
  expect(sent).toEqual([[1], [2, 3]]);
  batcher.flush();
});

test('on a saturated event loop even a cheap send opens the longest window', async () => {
  const { sent, batcher } = recorder({ maxMs: 200, costFactor: 1 });
  // Busy since the batcher was made, as a node saturated by other work is.
  loaded();
  batcher.push(1);
  // A timer set after the window's, and shorter, fires first: the window is still open.
  await sleep(30);
  batcher.push(2);
  await turnEnds();
  expect(sent).toEqual([[1]]);
  await messages(sent, 2);
  expect(sent).toEqual([[1], [2]]);
});

test('on a loaded event loop, items that come further apart than half a window open none: it would only delay them', async () => {
  await calm();
  const { sent, batcher } = recorder({ maxMs: 80, costFactor: 1 }, 10);
  // Seen to come 50 ms apart, with a few piled up together once (as a stall leaves them) among them.
  for (const [i, gapMs] of [50, 50, 50, 0, 0, 50].entries()) {
    batcher.push(i);
    if (gapMs > 0) await idle(gapMs);
  }
  await turnEnds();
  const before = sent.length;
  loaded();
  batcher.push(-1);
  await turnEnds();
  // Sooner after the send than the window it would open (80 ms on a saturated loop), and more than 40 ms after it.
  busy(30);
  await idle(3);
  batcher.push(-2);
  await turnEnds();
  expect(sent.slice(before)).toEqual([[-1], [-2]]);
  batcher.flush();
});

test('a short busy spell is not load: the items after it go out at the end of their turns', async () => {
  await calm();
  const { sent, batcher } = recorder({ maxMs: 200, costFactor: 1 }, 1);
  busy(LOAD_HORIZON_MS / 10);
  batcher.push(1);
  await turnEnds();
  batcher.push(2);
  await turnEnds();
  expect(sent).toEqual([[1], [2]]);
  batcher.flush();
});

test('a window that sent nothing closes: the next item goes out at once again', async () => {
  const { sent, batcher } = recorder({ maxMs: 20, costFactor: 1 }, 1);
  loaded();
  batcher.push(1);
  // A timer set after the window's fires after it.
  await sleep(40);
  batcher.push(2);
  await turnEnds();
  expect(sent).toEqual([[1], [2]]);
  batcher.flush();
});

test('under steady load every item goes out once, in order, several to a message', async () => {
  const { sent, batcher } = recorder(fixed(20));
  for (let i = 0; i < 60; i += 1) {
    batcher.push(i);
    await sleep(1);
  }
  batcher.flush();
  expect(sent.flat()).toEqual(Array.from({ length: 60 }, (_, i) => i));
  expect(sent.some((items) => items.length > 1)).toBe(true);
});

test('flush sends what waits now, once, and closes the window', async () => {
  const { sent, batcher } = recorder(fixed(20));
  batcher.push(1);
  await turnEnds();
  batcher.push(2);
  batcher.push(3);
  batcher.flush();
  expect(sent).toEqual([[1], [2, 3]]);
  await sleep(40);
  batcher.flush();
  expect(sent).toEqual([[1], [2, 3]]);
  batcher.push(4);
  batcher.flush();
  await turnEnds();
  expect(sent).toEqual([[1], [2, 3], [4]]);
});

test('with no window, every item goes out alone and at once, however long sending takes', () => {
  const { sent, batcher } = recorder({ maxMs: 0, costFactor: 1 }, 1);
  batcher.push(1);
  batcher.push(2);
  expect(sent).toEqual([[1], [2]]);
});

test('with a cost factor of 0 no window opens, however loaded the loop: each turn sends what came in it', async () => {
  const { sent, batcher } = recorder({ maxMs: 50, costFactor: 0 }, 1);
  loaded();
  batcher.push(1);
  batcher.push(2);
  await turnEnds();
  batcher.push(3);
  await turnEnds();
  expect(sent).toEqual([[1, 2], [3]]);
});
