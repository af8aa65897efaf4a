import type { NewsForumClient, Notification } from '@news-forum/sdk';
import { Controller } from './controller.js';

/** How many of the latest notifications the list keeps. */
const SHOWN = 20;

/**
 * Replies to the signed-in reader: the latest ones and the unread count,
 * loaded when they sign in and kept current by the live `notification`
 * event; opening one opens its post at the reply and marks it read.
 */
export class NotificationsController extends Controller {
  items: readonly Notification[] = [];
  unread = 0;
  /** Whether the list is shown. */
  open = false;
  #forum: NewsForumClient | undefined;
  #login: string | undefined;
  #stop: (() => void) | undefined;

  hostUpdate(): void {
    const { forum, user } = this.ui.session;
    if (forum === this.#forum && user?.login === this.#login) return;
    this.#stop?.();
    this.#stop = undefined;
    this.items = [];
    this.unread = 0;
    this.open = false;
    this.#forum = forum;
    this.#login = user?.login;
    if (!forum || !user) return;
    const stops = [
      forum.live.on('notification', (notification) => {
        this.items = [notification, ...this.items.filter((n) => n.id !== notification.id)].slice(0, SHOWN);
        this.unread += 1;
        this.ui.notices.announce(`${notification.actor} replied to you.`);
        this.changed();
      }),
      // Once the socket is (again) the reader's, the list holds whatever came before: nothing falls in between.
      forum.live.on('status', ({ status }) => status === 'live' && void this.#load(forum)),
    ];
    this.#stop = () => {
      for (const stop of stops) stop();
    };
    void this.#load(forum);
  }

  toggle(): void {
    this.open = !this.open;
    this.changed();
  }

  /** Opens the post at the reply, and marks the notification read. */
  show(notification: Notification): void {
    this.open = false;
    this.ui.view.open(notification.postId);
    this.ui.focus.request(`comment:${notification.commentId}`);
    if (!notification.readAt) this.#markRead([notification.id]);
  }

  markAll(): void {
    this.#markRead(
      this.items.filter((n) => !n.readAt).map((n) => n.id),
      true,
    );
  }

  async #load(forum: NewsForumClient): Promise<void> {
    const { data, error } = await forum.notifications.list({ limit: SHOWN }, { signal: this.ui.session.signal() });
    if (forum !== this.#forum) return;
    if (error) return this.ui.session.report('load', error, false);
    const listed = new Set(data.items.map((n) => n.id));
    // Live ones that arrived while the list was on its way stay first.
    this.items = [...this.items.filter((n) => !listed.has(n.id)), ...data.items].slice(0, SHOWN);
    this.unread = data.unread;
    this.changed();
  }

  /** Shown read at once; the server's count follows. */
  #markRead(ids: string[], all = false): void {
    const forum = this.#forum;
    if (!forum || (!all && ids.length === 0)) return;
    const now = new Date().toISOString();
    const marked = new Set(ids);
    this.items = this.items.map((n) => (all || marked.has(n.id) ? { ...n, readAt: n.readAt ?? now } : n));
    this.unread = all ? 0 : Math.max(0, this.unread - ids.length);
    this.changed();
    void forum.notifications.markRead(all ? { all: true } : ids, { signal: this.ui.session.signal() }).then(({ data }) => {
      if (data && forum === this.#forum) {
        this.unread = data.unread;
        this.changed();
      }
    });
  }
}
