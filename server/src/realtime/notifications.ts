import type { Services } from '../services.js';
import { publicNotification } from '../store/notifications.js';
import type { CreatedComment } from '../store/store.js';
import type { ForumServer } from './forum-socket.js';
import { userRoom } from './presence.js';

/**
 * Sends each reply's notification to its recipient's room. Through the
 * Redis adapter that room spans every node, and each node emits to its own
 * sockets in it: every socket of the account gets it once.
 */
export function relayNotifications(io: ForumServer, services: Services): () => void {
  const send = ({ notification }: CreatedComment) => {
    if (notification) io.to(userRoom(notification.recipient)).emit('notification', publicNotification(notification));
  };
  services.events.on('commentCreated', send);
  return () => services.events.off('commentCreated', send);
}
