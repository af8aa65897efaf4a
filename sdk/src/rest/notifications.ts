import type {
  Notification,
  NotificationListQuery,
  NotificationPage,
  NotificationReadRequest,
  NotificationReadResult,
} from '@news-forum/protocol';
import { paginate } from './paginate.js';
import type { CallOptions, Result } from './result.js';
import type { Send } from './transport.js';

/** Replies to the signed-in reader's posts and comments: `forum.notifications`. */
export interface NotificationsApi {
  /**
   * A page of notifications, newest first, with the reader's `unread` count;
   * `{ unread: true }` lists only the unread ones.
   *
   * @example
   * const { data } = await forum.notifications.list({ unread: true });
   * badge.textContent = String(data?.unread ?? 0);
   */
  list(query?: NotificationListQuery, options?: CallOptions): Promise<Result<NotificationPage>>;
  /** Every notification, newest first, page by page; throws a `RequestError` on failure. */
  all(query?: Omit<NotificationListQuery, 'cursor'>, options?: CallOptions): AsyncIterable<Notification>;
  /**
   * Marks notifications read: these ids (1 to 100 a call; others' are
   * ignored), or all of them with `{ all: true }`. Answers how many changed
   * and how many stay unread.
   *
   * @example
   * await forum.notifications.markRead([notification.id]);
   * await forum.notifications.markRead({ all: true });
   */
  markRead(which: string[] | NotificationReadRequest, options?: CallOptions): Promise<Result<NotificationReadResult>>;
}

export function createNotificationsApi(send: Send): NotificationsApi {
  const list = (query: NotificationListQuery = {}, options?: CallOptions) =>
    send({ method: 'get', path: '/me/notifications', query }, options);
  return {
    list,
    all: (query = {}, options) => paginate((cursor) => list({ ...query, cursor }, options)),
    // Marking read twice is harmless, so lost answers are retried.
    markRead: (which, options) =>
      send({ method: 'post', path: '/me/notifications/read', body: Array.isArray(which) ? { ids: which } : which }, options),
  };
}
