import type { Notification } from '@news-forum/protocol';
import { placeholderOf } from '../moderation/visibility.js';
import type { NotificationRecord } from './store.js';

/** How many notifications each account keeps: older ones go as new ones arrive. */
export const NOTIFICATIONS_KEPT = 500;
/** Notifications older than this are pruned, read or not. */
export const NOTIFICATIONS_MAX_AGE_MS = 90 * 24 * 3_600_000;
const EXCERPT_LENGTH = 140;

/** The start of a reply, as its notification shows it: whitespace collapsed, cut at a word with an ellipsis. */
export function excerptOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= EXCERPT_LENGTH) return flat;
  const cut = flat.slice(0, EXCERPT_LENGTH - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > EXCERPT_LENGTH / 2 ? cut.slice(0, space) : cut}…`;
}

/**
 * A notification as its recipient sees it, in the API and on the socket (the
 * recipient is implied): a reply hidden since, or one under a hidden post,
 * shows the placeholder of a hidden comment instead of its text.
 */
export function publicNotification({ recipient: _recipient, hiddenBy, ...notification }: NotificationRecord): Notification {
  return hiddenBy ? { ...notification, excerpt: placeholderOf(hiddenBy) } : notification;
}
