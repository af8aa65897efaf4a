import type { Comment, LivePost, Post } from '../../src/index.js';

let counter = 0;

/** A post shaped exactly as the API returns it. */
export function post(overrides: Partial<Post> = {}): Post {
  counter += 1;
  const upvotes = overrides.upvotes ?? 0;
  const downvotes = overrides.downvotes ?? 0;
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    title: `Post ${counter}`,
    url: null,
    text: null,
    author: 'ana',
    createdAt: new Date(Date.UTC(2026, 10, 24, 12, 0, counter)).toISOString(),
    upvotes,
    downvotes,
    score: upvotes - downvotes,
    commentCount: 0,
    version: 1,
    ...overrides,
  };
}

/** The same post after a change: counters and version bumped. */
export function voted<T extends LivePost>(p: T, upvotes: number, downvotes = p.downvotes): T {
  return { ...p, upvotes, downvotes, score: upvotes - downvotes, version: p.version + 1 };
}

/** A comment shaped exactly as the API returns it. */
export function comment(postId: string, overrides: Partial<Comment> = {}): Comment {
  counter += 1;
  return {
    id: `00000000-0000-4000-9000-${String(counter).padStart(12, '0')}`,
    postId,
    parentId: null,
    author: 'ana',
    text: `Comment ${counter}`,
    createdAt: new Date(Date.UTC(2026, 10, 24, 13, 0, counter)).toISOString(),
    version: 1,
    ...overrides,
  };
}
