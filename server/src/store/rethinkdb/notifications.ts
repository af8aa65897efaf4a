import { randomUUID } from 'node:crypto';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { excerptOf, NOTIFICATIONS_KEPT } from '../notifications.js';
import { pageSize, toPage } from '../pages.js';
import type { NotificationPageRequest, NotificationRecord, NotificationSelection, Page, StoredComment } from '../store.js';
import { isId, isInstant, storedId } from './ids.js';
import { HARD, r, type Term } from './reql.js';
import type { Context } from './tables.js';

const table = (ctx: Context) => ctx.table('notifications');

/** The recipient's notifications from newest to oldest (index `recipientTime`). */
function ofRecipient(ctx: Context, recipient: string, before?: readonly [string, string]): Term {
  const upper = before ? [recipient, before[0], before[1]] : [recipient, r.maxval, r.maxval];
  return table(ctx)
    .between([recipient, r.minval, r.minval], upper, { index: 'recipientTime', rightBound: before ? 'open' : 'closed' })
    .orderBy({ index: r.desc('recipientTime') });
}

/** Who hid `doc` (null when it is visible or gone); hidden before the reason was kept reads as a moderator's. */
function hiddenBy(doc: Term): Term {
  return r.branch(doc('hidden').default(false), doc('hiddenBy').default('moderator'), null);
}

/**
 * Notifies the author of what `comment` answers (its parent, or its post)
 * unless that is the comment's own author, once the comment is in place,
 * and drops that account's notifications beyond the last NOTIFICATIONS_KEPT.
 * The notification goes with its comment (removeThreads), post
 * (removePosts) or recipient (deleteUser).
 */
export async function notifyReply(ctx: Context, comment: StoredComment): Promise<NotificationRecord | null> {
  const target =
    comment.parentId === null
      ? await ctx.db.run<{ author: string } | null>(ctx.table('posts').get(comment.postId))
      : await ctx.db.run<{ author: string } | null>(ctx.table('comments').get(comment.parentId));
  if (!target || target.author === comment.author) return null;
  const doc: NotificationRecord = {
    id: randomUUID(),
    recipient: target.author,
    commentId: comment.id,
    postId: comment.postId,
    actor: comment.author,
    excerpt: excerptOf(comment.text),
    createdAt: comment.createdAt,
    readAt: null,
  };
  await ctx.db.run(table(ctx).insert(doc, HARD));
  await ctx.db.run(ofRecipient(ctx, doc.recipient).skip(NOTIFICATIONS_KEPT).delete(HARD));
  return doc;
}

function unreadOf(ctx: Context, recipient: string): Promise<number> {
  return ctx.db.run<number>(table(ctx).getAll([recipient, true], { index: 'recipientUnread' }).count());
}

export async function listNotifications(
  ctx: Context,
  recipient: string,
  page: NotificationPageRequest,
): Promise<Page<NotificationRecord> & { unread: number }> {
  const limit = pageSize(page);
  const before =
    page.cursor === undefined
      ? undefined
      : (decodeCursor(page.cursor, 'notifications', ['string', 'string'], ([at, id]) => isInstant(at) && isId(id)) as [string, string]);
  let selection = ofRecipient(ctx, recipient, before && [before[0], before[1].toLowerCase()]);
  if (page.unreadOnly) selection = selection.filter({ readAt: null });
  const rows = await ctx.db.run<NotificationRecord[]>(
    selection
      .limit(limit + 1)
      .merge((n: Term) =>
        r.do(hiddenBy(ctx.table('comments').get(n('commentId'))), hiddenBy(ctx.table('posts').get(n('postId'))), (c: Term, p: Term) =>
          r.branch(
            c.eq('moderator').or(p.eq('moderator')),
            { hiddenBy: 'moderator' },
            c.eq('flags').or(p.eq('flags')),
            { hiddenBy: 'flags' },
            {},
          ),
        ),
      )
      .coerceTo('array'),
  );
  const items = toPage(rows, limit, (n) => encodeCursor('notifications', [n.createdAt, n.id]));
  return { ...items, unread: await unreadOf(ctx, recipient) };
}

export async function markNotificationsRead(
  ctx: Context,
  recipient: string,
  which: NotificationSelection,
): Promise<{ marked: number; unread: number }> {
  const ids = 'ids' in which ? which.ids.flatMap((id) => storedId(id) ?? []) : undefined;
  const unread =
    ids === undefined
      ? table(ctx).getAll([recipient, true], { index: 'recipientUnread' })
      : table(ctx).getAll(r.args(ids)).filter({ recipient, readAt: null });
  const result =
    ids?.length === 0 ? { replaced: 0 } : await ctx.db.run<{ replaced: number }>(unread.update({ readAt: new Date().toISOString() }, HARD));
  return { marked: result.replaced, unread: await unreadOf(ctx, recipient) };
}

/**
 * Gives the notifications of an edited reply the excerpt of its new text: a
 * moderator's edit that takes text out must take it out of the notification
 * too, where the recipient would otherwise go on reading it.
 */
export async function reExcerpt(ctx: Context, commentId: string, text: string): Promise<void> {
  await ctx.db.run(
    table(ctx)
      .getAll(commentId, { index: 'commentId' })
      .update({ excerpt: excerptOf(text) }, HARD),
  );
}

/** Removes the notifications of these comments (deleted with them). */
export async function forgetComments(ctx: Context, commentIds: string[]): Promise<void> {
  if (commentIds.length > 0) await ctx.db.run(table(ctx).getAll(r.args(commentIds), { index: 'commentId' }).delete(HARD));
}

/** Removes the notifications of these posts (deleted with them). */
export async function forgetPosts(ctx: Context, postIds: string[]): Promise<void> {
  if (postIds.length > 0) await ctx.db.run(table(ctx).getAll(r.args(postIds), { index: 'postId' }).delete(HARD));
}

/** Removes an account's notifications (deleted with it). */
export async function forgetRecipient(ctx: Context, recipient: string): Promise<void> {
  await ctx.db.run(table(ctx).getAll(recipient, { index: 'recipient' }).delete(HARD));
}

/** Forgets notifications older than `maxAgeMs`. */
export async function pruneNotifications(ctx: Context, maxAgeMs: number): Promise<void> {
  const cut = new Date(Date.now() - maxAgeMs).toISOString();
  await ctx.db.run(table(ctx).between('', cut, { index: 'createdAt' }).delete(HARD));
}
