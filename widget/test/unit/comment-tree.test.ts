import { describe, expect, test } from '@jest/globals';
import type { Comment } from '@news-forum/sdk';
import { type CommentNode, commentTree } from '../../src/news-forum/comment-tree.js';

let counter = 0;
/** A comment (oldest first as they are made), replying to `parent` if given. */
function comment(text: string, parent?: Comment): Comment {
  counter += 1;
  return {
    id: `00000000-0000-4000-9000-${String(counter).padStart(12, '0')}`,
    postId: '00000000-0000-4000-8000-000000000001',
    parentId: parent?.id ?? null,
    author: 'ana',
    text,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString(),
    version: 1,
  };
}

/** The tree as nested texts: `[text, [replies…]]`. */
type Shape = [string, Shape[]];
const shape = (nodes: CommentNode[]): Shape[] => nodes.map(({ comment, replies }) => [comment.text, shape(replies)]);

describe('the comment tree', () => {
  test('nests replies under their parents, each list oldest first', () => {
    const a = comment('a');
    const b = comment('b');
    const a1 = comment('a1', a);
    const a2 = comment('a2', a);
    const b1 = comment('b1', b);
    expect(shape(commentTree([a, b, a1, a2, b1]))).toEqual([
      [
        'a',
        [
          ['a1', []],
          ['a2', []],
        ],
      ],
      ['b', [['b1', []]]],
    ]);
  });

  test('nests replies to replies', () => {
    const a = comment('a');
    const a1 = comment('a1', a);
    const a11 = comment('a11', a1);
    expect(shape(commentTree([a, a1, a11]))).toEqual([['a', [['a1', [['a11', []]]]]]]);
  });

  test('shows a reply whose parent is missing (deleted, or not paged in yet) at the top level', () => {
    const gone = comment('gone');
    const a = comment('a');
    const orphan = comment('orphan', gone);
    expect(shape(commentTree([a, orphan]))).toEqual([
      ['a', []],
      ['orphan', []],
    ]);
  });

  test('is empty without comments', () => {
    expect(commentTree([])).toEqual([]);
  });
});
