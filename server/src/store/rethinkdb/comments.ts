import { decodeCursor, encodeCursor } from '../cursor.js';
import { pageSize, toPage } from '../pages.js';
import type { NewCommentRecord, Page, PageRequest, StoredComment } from '../store.js';
import { accountGone, StoreError } from '../store-error.js';
import { applyDelta } from './counters.js';
import type { CommentDoc } from './documents.js';
import { isId, isInstant, storedId } from './ids.js';
import { forgetComments } from './notifications.js';
import { HARD, r, type Term, type WriteResult } from './reql.js';
import type { Context } from './tables.js';
import { userExists } from './users.js';

function noPost(postId: string): StoreError {
  return new StoreError('not-found', `No post ${postId}`);
}

function noParent(postId: string, parentId: string): StoreError {
  return new StoreError('not-found', `No comment ${parentId} on post ${postId}`);
}

/** The ids of a comment and its replies, or null when the comment does not exist on that post. */
export async function getComment(ctx: Context, postId: string, id: string): Promise<StoredComment | null> {
  const post = storedId(postId);
  const key = storedId(id);
  if (post === undefined || key === undefined) return null;
  const comment = await ctx.db.run<CommentDoc | null>(ctx.table('comments').get(key));
  return comment?.postId === post ? comment : null;
}

export async function getCommentById(ctx: Context, id: string): Promise<StoredComment | null> {
  return ctx.db.run<CommentDoc | null>(ctx.table('comments').get(id));
}

/**
 * Writes the comment, then moves the post's count, then checks again what it
 * depends on (the post, the parent, the account): a deletion that ran
 * meanwhile may have swept before the comment existed. If one is gone the
 * comment removes itself (and whoever actually deletes it takes it off the
 * count) and the creation fails as it would have had it come later.
 */
export async function insertComment(ctx: Context, id: string, comment: NewCommentRecord): Promise<StoredComment> {
  const postId = storedId(comment.postId);
  if (postId === undefined) throw noPost(comment.postId);
  const parentId = comment.parentId === null ? null : storedId(comment.parentId);
  if (parentId === undefined) throw noParent(comment.postId, String(comment.parentId));
  if (!(await userExists(ctx, comment.author))) throw accountGone();
  const [post, parent] = await Promise.all([
    ctx.db.run<{ locked?: boolean; hidden?: boolean } | null>(ctx.table('posts').get(postId)),
    parentId === null ? null : getComment(ctx, postId, parentId),
  ]);
  // A hidden post takes no comments, from moderators either (they restore it first): to readers it is not there.
  if (post === null || post.hidden) throw noPost(comment.postId);
  // Checked before writing: a lock racing this comment may let it in, as a lock just after it would.
  if (post.locked) throw new StoreError('thread-locked', `The thread of post ${comment.postId} is locked`);
  if (parentId !== null && parent === null) throw noParent(comment.postId, parentId);
  const doc: CommentDoc = {
    id,
    postId,
    parentId,
    author: comment.author,
    text: comment.text,
    createdAt: new Date().toISOString(),
    version: 1,
  };
  await ctx.db.run(ctx.table('comments').insert(doc, { ...HARD, conflict: 'error' })).catch((error: unknown) => {
    // An insert whose answer was lost may have landed without moving the count: the background recount checks it.
    ctx.suspects.add(postId);
    throw error;
  });
  if ((await applyDelta(ctx, postId, { comments: 1 })) === null) {
    await ctx.db.run(ctx.table('comments').get(id).delete(HARD));
    throw noPost(comment.postId);
  }
  const [parentStill, authorStill] = await Promise.all([
    parentId === null ? true : getComment(ctx, postId, parentId).then((found) => found !== null),
    userExists(ctx, comment.author),
  ]);
  if (!parentStill || !authorStill) {
    await removeComments(ctx, ctx.table('comments').get(id));
    throw authorStill ? noParent(comment.postId, String(parentId)) : accountGone();
  }
  return doc;
}

export async function listComments(ctx: Context, postId: string, page: PageRequest): Promise<Page<StoredComment>> {
  const limit = pageSize(page);
  const after =
    page.cursor === undefined
      ? undefined
      : decodeCursor(page.cursor, 'comments', ['string', 'string'], ([at, id]) => isInstant(at) && isId(id));
  const post = storedId(postId);
  if (post === undefined) return { items: [], nextCursor: null };
  const from = after ? [post, after[0], String(after[1]).toLowerCase()] : [post, r.minval, r.minval];
  const rows = await ctx.db.run<CommentDoc[]>(
    ctx
      .table('comments')
      .between(from, [post, r.maxval, r.maxval], { index: 'thread', leftBound: after ? 'open' : 'closed' })
      .orderBy({ index: 'thread' })
      .limit(limit + 1)
      .coerceTo('array'),
  );
  return toPage(rows, limit, (c) => encodeCursor('comments', [c.createdAt, c.id]));
}

/**
 * Deletes the selected comments and, level by level, their replies, and
 * takes what it deleted off each post's count in one update per post.
 * Each level is deleted before its replies are looked up, so a reply
 * written meanwhile is either found or finds its parent gone and removes
 * itself. Returns the comments it deleted.
 */
export async function removeComments(ctx: Context, selection: Term): Promise<CommentDoc[]> {
  const deleted = await removeThreads(ctx, selection);
  await applyCountDeltas(ctx, deleted);
  return deleted;
}

/** Like removeComments, without touching the counts (the caller moves them). */
export async function removeThreads(ctx: Context, selection: Term): Promise<CommentDoc[]> {
  const all: CommentDoc[] = [];
  let level: Term = selection;
  for (;;) {
    const result = await ctx.db.run<WriteResult<CommentDoc>>(level.delete({ ...HARD, returnChanges: true }));
    const deleted = (result.changes ?? []).flatMap((change) => (change.old_val ? [change.old_val] : []));
    if (deleted.length === 0) return all;
    all.push(...deleted);
    await forgetComments(
      ctx,
      deleted.map((comment) => comment.id),
    );
    level = ctx.table('comments').getAll(r.args(deleted.map((comment) => comment.id)), { index: 'parentId' });
  }
}

/** Counts deleted comments per post. */
export function countByPost(comments: CommentDoc[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const comment of comments) counts.set(comment.postId, (counts.get(comment.postId) ?? 0) + 1);
  return counts;
}

async function applyCountDeltas(ctx: Context, deleted: CommentDoc[]): Promise<void> {
  await Promise.all([...countByPost(deleted)].map(([postId, n]) => applyDelta(ctx, postId, { comments: -n })));
}

export async function deleteComment(ctx: Context, postId: string, id: string): Promise<boolean> {
  const post = storedId(postId);
  const key = storedId(id);
  if (post === undefined || key === undefined) return false;
  const deleted = await removeComments(ctx, ctx.table('comments').getAll(key).filter({ postId: post }));
  return deleted.length > 0;
}
