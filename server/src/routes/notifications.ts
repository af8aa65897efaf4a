import type { Handlers } from '../http/handler.js';
import { publicNotification } from '../store/notifications.js';

export const notificationHandlers = {
  async listNotifications({ query, caller, services }) {
    const page = await services.store.listNotifications(caller.login, {
      limit: query.limit,
      cursor: query.cursor,
      unreadOnly: query.unread,
    });
    return { status: 200, body: { items: page.items.map(publicNotification), nextCursor: page.nextCursor, unread: page.unread } };
  },

  async markNotificationsRead({ body, caller, services }) {
    const result = await services.store.markNotificationsRead(caller.login, 'all' in body ? { all: true } : { ids: body.ids });
    return { status: 200, body: result };
  },
} satisfies Partial<Handlers>;
