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

test('the first item after a quiet spell goes out alone and at once', () => {
  const { sent, batcher } = recorder({ maxMs: 50, costFactor: 1 });
  batcher.push(1);
  expect(sent).toEqual([[1]]);
  batcher.flush();
});

test('items within a window go out together when it ends, in the order they came', async () => {
  const { sent, batcher } = recorder(fixed(20));
  batcher.push(1);
  for (let i = 2; i <= 5; i += 1) batcher.push(i);
  expect(sent).toEqual([[1]]);
  await messages(sent, 2);
  expect(sent).toEqual([[1], [2, 3, 4, 5]]);
});

test('on a calm event loop every item that comes after the loop idled goes out alone and at once, however long sending takes', async () => {
  await calm();
  const { sent, batcher } = recorder({ maxMs: 1_000, costFactor: 1 }, 5);
  for (let i = 1; i <= 4; i += 1) {
    batcher.push(i);
    await idle(1);
  }
  expect(sent).toEqual([[1], [2], [3], [4]]);
  batcher.flush();
});

test('on a calm event loop, of items the send held back the first goes out at once and the rest wait in a window behind it', async () => {
  await calm();
  const { sent, batcher } = recorder({ maxMs: 1_000, costFactor: 1 }, 20);
  // No idle time between the items: each came while the send before it held the loop, as at the start of a burst.
  for (let i = 1; i <= 4; i += 1) batcher.push(i);
  expect(sent).toEqual([[1], [2]]);
  await messages(sent, 3);
  expect(sent).toEqual([[1], [2], [3, 4]]);
  batcher.flush();
});

test('on a calm event loop, once a burst is held back, the next item the send holds back waits in a window too', async () => {
  await calm();
  const sent: number[][] = [];
  const batcher = new EmitBatcher<number>({ maxMs: 1_000, costFactor: 1 }, (items) => {
    sent.push(items);
    busy(50);
    // The work this send held back: its item comes before the loop idles.
    if (items.includes(3)) queueMicrotask(() => batcher.push(5));
  });
  for (let i = 1; i <= 4; i += 1) batcher.push(i);
  await messages(sent, 3);
  expect(sent).toEqual([[1], [2], [3, 4]]);
  await messages(sent, 4);
  expect(sent).toEqual([[1], [2], [3, 4], [5]]);
  batcher.flush();
});

test('on a loaded event loop a send that takes time opens a window: what follows it waits and goes out together', async () => {
  const { sent, batcher } = recorder({ maxMs: 1_000, costFactor: 1 }, 5);
  // Loaded (busy about 78 % of the time lately) but not saturated: the window is sized by the send's cost.
  busy(1.5 * LOAD_HORIZON_MS);
  batcher.push(1);
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
  expect(sent).toEqual([[1]]);
  await messages(sent, 2);
  expect(sent).toEqual([[1], [2]]);
});

/**
 * A batcher whose sends take 10 ms and whose windows last up to 80 ms, that has seen items come far apart (two,
 * 50 ms apart, on a calm loop that idled in between) and has just sent a third on a loaded loop.
 */
async function afterItemsFarApart() {
  await calm();
  const recorded = recorder({ maxMs: 80, costFactor: 1 }, 10);
  recorded.batcher.push(1);
  await idle(50);
  recorded.batcher.push(2);
  await idle(50);
  loaded();
  recorded.batcher.push(3);
  return recorded;
}

test('on a loaded event loop, items that come further apart than half a window open none: it would only delay them', async () => {
  const { sent, batcher } = await afterItemsFarApart();
  // Sooner after the send than the window it would open (about 60 ms at this load), and more than 40 ms
  // after the last item (the send's 10 included); the loop idles a little.
  busy(30);
  await idle(3);
  batcher.push(4);
  expect(sent).toEqual([[1], [2], [3], [4]]);
  batcher.flush();
});

test('on a loaded event loop too, of items the send held back the first goes out at once and the rest wait in a window behind it', async () => {
  const { sent, batcher } = await afterItemsFarApart();
  // The work that the send held back, and no idle time before the next items. The first may be one change that
  // came late (a vote's request taken while the send before went out): waiting would gather nothing for it.
  busy(40);
  batcher.push(4);
  batcher.push(5);
  batcher.push(6);
  expect(sent).toEqual([[1], [2], [3], [4]]);
  await messages(sent, 5);
  expect(sent).toEqual([[1], [2], [3], [4], [5, 6]]);
  batcher.flush();
});

// Either way the next item, after the loop idled, comes at the usual pace: a window behind 4 would only delay it.
test.each([
  // Held back by the send (no idle time, within the window): it came late, goes out at once and opens no window
  // on a loaded loop.
  ['on a loaded event loop, after an item the send held back, the next that comes after the loop idled goes out at once', 40],
  // No idle time, but longer than the window at this load (80 ms): slow work of its own, a collection of garbage or a
  // slow write, held this item back, not the send.
  ['an item that took longer than the window would have lasted goes out at once, and so does the next after the loop idles', 90],
])('%s', async (_name, busyMs) => {
  const { sent, batcher } = await afterItemsFarApart();
  busy(busyMs);
  batcher.push(4);
  await idle(3);
  batcher.push(5);
  expect(sent).toEqual([[1], [2], [3], [4], [5]]);
  batcher.flush();
});

test('a short busy spell is not load: the items after it go out at once', async () => {
  await calm();
  const { sent, batcher } = recorder({ maxMs: 200, costFactor: 1 }, 1);
  busy(LOAD_HORIZON_MS / 10);
  batcher.push(1);
  batcher.push(2);
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
  batcher.push(2);
  batcher.push(3);
  batcher.flush();
  expect(sent).toEqual([[1], [2, 3]]);
  await sleep(40);
  batcher.flush();
  expect(sent).toEqual([[1], [2, 3]]);
  batcher.push(4);
  expect(sent).toEqual([[1], [2, 3], [4]]);
  batcher.flush();
});

test('with no window, every item goes out alone, however long sending takes', () => {
  for (const window of [
    { maxMs: 0, costFactor: 1 },
    { maxMs: 50, costFactor: 0 },
  ]) {
    const { sent, batcher } = recorder(window, 1);
    batcher.push(1);
    batcher.push(2);
    expect(sent).toEqual([[1], [2]]);
  }
});
