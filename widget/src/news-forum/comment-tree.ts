import type { Comment } from '@news-forum/sdk';

/** A comment and its replies, each list oldest first. */
export interface CommentNode {
  comment: Comment;
  replies: CommentNode[];
}

/**
 * Nests comments (oldest first) by `parentId`. A reply whose parent is
 * missing (deleted, or beyond the first page) is shown at the top level
 * rather than lost.
 */
export function commentTree(comments: readonly Comment[]): CommentNode[] {
  const nodes = new Map(comments.map((comment) => [comment.id, { comment, replies: [] as CommentNode[] }]));
  const roots: CommentNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.comment.parentId ? nodes.get(node.comment.parentId) : undefined;
    (parent ? parent.replies : roots).push(node);
  }
  return roots;
}
