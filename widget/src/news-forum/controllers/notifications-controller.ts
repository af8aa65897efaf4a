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
  /** Loads started, and the latest one shown: an answer older than the one shown is dropped. */
  #loads = 0;
  #shown = 0;
  /** For each call on its way, the ids of the notifications that came live since it was made. */
  readonly #arrivals = new Set<string[]>();

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
        // A list loaded after the reply was written holds it, and its count counted it (the event can come later).
        const counted = this.items.some((n) => n.id === notification.id);
        this.items = [notification, ...this.items.filter((n) => n.id !== notification.id)].slice(0, SHOWN);
        if (!counted) this.unread += 1;
        for (const ids of this.#arrivals) ids.push(notification.id);
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

  /** Opens or closes the list; `refocus`: focus goes back to its button (the list, which may hold it, goes). */
  toggle(refocus?: boolean): void {
    this.open = !this.open;
    if (refocus) this.ui.focus.request('replies');
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
    const load = ++this.#loads;
    const signal = this.ui.session.signal();
    const [{ data, error }, arrived] = await this.#watching(forum.notifications.list({ limit: SHOWN }, { signal }));
    // Signed out meanwhile: the list was the previous reader's.
    if (signal.aborted || forum !== this.#forum || load < this.#shown) return;
    if (error) return this.ui.session.report('load', error, false);
    this.#shown = load;
    const listed = new Set(data.items.map((n) => n.id));
    // Live ones that arrived while the list was on its way stay first; those it does not list were written after
    // the server read it (it lists the newest), so its count does not hold them either.
    const later = arrived.filter((id) => !listed.has(id)).length;
    this.items = [...this.items.filter((n) => !listed.has(n.id)), ...data.items].slice(0, SHOWN);
    this.unread = data.unread + later;
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
    const signal = this.ui.session.signal();
    const answer = forum.notifications.markRead(all ? { all: true } : ids, { signal });
    void this.#watching(answer).then(([{ data }, arrived]) => {
      if (!data || signal.aborted || forum !== this.#forum) return;
      // A reply that came meanwhile may or may not be in the server's count: the list tells.
      if (arrived.length > 0) return void this.#load(forum);
      this.unread = data.unread;
      this.changed();
    });
  }

  /** The answer to `call`, with the ids of the notifications that came live while it was on its way. */
  async #watching<T>(call: Promise<T>): Promise<[T, string[]]> {
    const arrived: string[] = [];
    this.#arrivals.add(arrived);
    try {
      return [await call, arrived];
    } finally {
      this.#arrivals.delete(arrived);
    }
  }
}
