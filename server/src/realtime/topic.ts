import type { PostSort, Topic } from '@news-forum/sdk';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SORTS: readonly PostSort[] = ['hot', 'new', 'top'];

/** A topic from an untrusted client, or undefined when it is malformed. */
export function parseTopic(value: unknown): Topic | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { topic, postId, sort, limit } = value as Record<string, unknown>;
  if (topic === 'comments') return typeof postId === 'string' && UUID.test(postId) ? { topic, postId } : undefined;
  if (topic !== 'posts') return undefined;
  if (sort !== undefined && !SORTS.includes(sort as PostSort)) return undefined;
  if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= 100)) return undefined;
  return { topic, sort: (sort as PostSort | undefined) ?? 'hot', limit: (limit as number | undefined) ?? 30 };
}
