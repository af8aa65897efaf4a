import { expect, test } from '@jest/globals';
import { timeAgo } from '../../src/news-forum/format.js';

const now = Date.parse('2026-01-01T12:00:00.000Z');
const at = (ms: number) => new Date(now + ms).toISOString();

test('an item written moments ago by a server whose clock is ahead of the reader’s reads "just now", not in the future', () => {
  expect(timeAgo(at(45_000), now)).toBe('just now');
  expect(timeAgo(at(120_000), now)).toBe('just now');
});

test('times in the past read as they are', () => {
  expect(timeAgo(at(-30_000), now)).toBe('just now');
  expect(timeAgo(at(-120_000), now)).toBe('2 minutes ago');
  expect(timeAgo(at(-3 * 86_400_000), now)).toBe('3 days ago');
  expect(timeAgo('not a date', now)).toBe('just now');
});
