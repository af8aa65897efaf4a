import { randomUUID } from 'node:crypto';
import { ID_PATTERN } from '@news-forum/protocol';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { excerptOf, NOTIFICATIONS_KEPT } from '../notifications.js';
import { pageSize, toPage } from '../pages.js';
import type { NotificationPageRequest, NotificationRecord, NotificationSelection, Page, StoredComment } from '../store.js';
import type { SqlExecutor } from './driver.js';

const UUID = new RegExp(ID_PATTERN.source, 'i');
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Notifies the author of what `comment` answers (its parent, or its post),
 * unless that is the comment's own author, and drops that account's
 * notifications beyond the last NOTIFICATIONS_KEPT. Runs in the comment's
 * transaction, after the post (and so the parent) was locked.
 */
export async function notifyReply(tx: SqlExecutor, comment: StoredComment): Promise<NotificationRecord | null> {
  const [target] =
    comment.parentId === null
      ? await tx.query<{ author: string }>('SELECT author FROM posts WHERE id = $1', [comment.postId])
      : await tx.query<{ author: string }>('SELECT author FROM comments WHERE id = $1', [comment.parentId]);
  if (!target || target.author === comment.author) return null;
  const [row] = await tx.query<{ doc: NotificationRecord }>(
    `INSERT INTO notifications AS n (id, recipient, comment_id, post_id, actor, excerpt, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING notification_json(n) AS doc`,
    [randomUUID(), target.author, comment.id, comment.postId, comment.author, excerptOf(comment.text), comment.createdAt],
  );
  await tx.query(
    `DELETE FROM notifications WHERE id IN (
       SELECT id FROM notifications WHERE recipient = $1 ORDER BY created_at DESC, id DESC OFFSET $2)`,
    [target.author, NOTIFICATIONS_KEPT],
  );
  return row?.doc ?? null;
}

/**
 * Gives the notifications of an edited reply the excerpt of its new text: a
 * moderator's edit that takes text out must take it out of the notification
 * too, where the recipient would otherwise go on reading it.
 */
export async function reExcerpt(tx: SqlExecutor, commentId: string, text: string): Promise<void> {
  await tx.query('UPDATE notifications SET excerpt = $1 WHERE comment_id = $2', [excerptOf(text), commentId]);
}

const UNREAD = 'SELECT count(*)::integer FROM notifications WHERE recipient = $1 AND read_at IS NULL';

export async function listNotifications(
  db: SqlExecutor,
  recipient: string,
  page: NotificationPageRequest,
): Promise<Page<NotificationRecord> & { unread: number }> {
  const limit = pageSize(page);
  const after =
    page.cursor === undefined
      ? undefined
      : decodeCursor(page.cursor, 'notifications', ['string', 'string'], ([at, id]) => ISO_MS.test(String(at)) && UUID.test(String(id)));
  // The page and the unread count in one statement, so one snapshot: read apart, a reply committed between them was
  // counted and not listed, and a reader who had it live (the widget) counted it twice.
  const rows = await db.query<{ unread: number; doc: NotificationRecord | null }>(
    `SELECT (${UNREAD}) AS unread, page.doc
       FROM (SELECT 1) one LEFT JOIN LATERAL (
         SELECT notification_json(n) || CASE
                  WHEN (c.hidden AND coalesce(c.hidden_by, 'moderator') = 'moderator')
                    OR (p.hidden AND coalesce(p.hidden_by, 'moderator') = 'moderator') THEN '{"hiddenBy": "moderator"}'::jsonb
                  WHEN c.hidden OR p.hidden THEN '{"hiddenBy": "flags"}'::jsonb ELSE '{}'::jsonb END AS doc,
                n.created_at, n.id
           FROM notifications n LEFT JOIN comments c ON c.id = n.comment_id LEFT JOIN posts p ON p.id = n.post_id
          WHERE n.recipient = $1 ${page.unreadOnly ? 'AND n.read_at IS NULL' : ''}
            ${after ? 'AND (n.created_at, n.id) < ($3::timestamptz, $4::uuid)' : ''}
          ORDER BY n.created_at DESC, n.id DESC LIMIT $2) page ON true
      ORDER BY page.created_at DESC, page.id DESC`,
    [recipient, limit + 1, ...(after ?? [])],
  );
  const items = toPage(
    rows.flatMap((row) => (row.doc ? [row.doc] : [])),
    limit,
    (n) => encodeCursor('notifications', [n.createdAt, n.id]),
  );
  return { ...items, unread: rows[0]?.unread ?? 0 };
}

export async function markNotificationsRead(
  db: SqlExecutor,
  recipient: string,
  which: NotificationSelection,
): Promise<{ marked: number; unread: number }> {
  const ids = 'ids' in which ? which.ids.filter((id) => UUID.test(id)) : undefined;
  if (ids?.length === 0) {
    const [row] = await db.query<{ unread: number }>(`SELECT (${UNREAD}) AS unread`, [recipient]);
    return { marked: 0, unread: row?.unread ?? 0 };
  }
  // One statement, as the list: the count is of the snapshot the update saw (where what it marked was still unread).
  const [row] = await db.query<{ marked: number; unread: number }>(
    `WITH marked AS (
       UPDATE notifications SET read_at = now()
        WHERE recipient = $1 AND read_at IS NULL ${ids === undefined ? '' : 'AND id = ANY($2::uuid[])'} RETURNING 1)
     SELECT (SELECT count(*)::integer FROM marked) AS marked, (${UNREAD}) - (SELECT count(*)::integer FROM marked) AS unread`,
    ids === undefined ? [recipient] : [recipient, ids],
  );
  return { marked: row?.marked ?? 0, unread: row?.unread ?? 0 };
}
