import { afterEach, beforeEach, expect, jest, test } from '@jest/globals';
import { EmitBatcher } from '../../src/realtime/emit-batcher.js';

let sent: number[][];
let batcher: EmitBatcher<number>;
beforeEach(() => {
  jest.useFakeTimers();
  sent = [];
  batcher = new EmitBatcher<number>(20, (items) => sent.push(items));
});
afterEach(() => {
  jest.useRealTimers();
});

test('the first item after a quiet spell goes out alone and at once', () => {
  batcher.push(1);
  expect(sent).toEqual([[1]]);
});

test('items within the window go out together when it ends, in the order they came', () => {
  batcher.push(1);
  for (let i = 2; i <= 5; i += 1) batcher.push(i);
  expect(sent).toEqual([[1]]);
  jest.advanceTimersByTime(20);
  expect(sent).toEqual([[1], [2, 3, 4, 5]]);
});

test('under steady load every item goes out once, in order, one message per window', () => {
  for (let i = 0; i < 100; i += 1) {
    batcher.push(i);
    jest.advanceTimersByTime(3);
  }
  jest.advanceTimersByTime(100);
  expect(sent.flat()).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(sent.length).toBeLessThanOrEqual(Math.ceil((100 * 3) / 20) + 1);
});

test('a window that sent nothing closes: the next item goes out at once again', () => {
  batcher.push(1);
  jest.advanceTimersByTime(20);
  expect(jest.getTimerCount()).toBe(0);
  batcher.push(2);
  expect(sent).toEqual([[1], [2]]);
});

test('flush sends what waits now, once, and closes the window', () => {
  batcher.push(1);
  batcher.push(2);
  batcher.push(3);
  batcher.flush();
  expect(sent).toEqual([[1], [2, 3]]);
  jest.advanceTimersByTime(100);
  batcher.flush();
  expect(sent).toEqual([[1], [2, 3]]);
  batcher.push(4);
  expect(sent).toEqual([[1], [2, 3], [4]]);
});

test('with no window, every item goes out alone', () => {
  const unbatched = new EmitBatcher<number>(0, (items) => sent.push(items));
  unbatched.push(1);
  unbatched.push(2);
  expect(sent).toEqual([[1], [2]]);
  expect(jest.getTimerCount()).toBe(0);
});
