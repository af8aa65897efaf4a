import type { Services } from '../services.js';
import type { CreatedComment } from '../store/store.js';

/**
 * What follows a committed comment, whichever route created it: the
 * author's next reads wait for it (read-your-writes), and the reply's
 * notification goes live to its recipient (see realtime/notifications.ts).
 */
export function commentCreated(services: Services, created: CreatedComment): void {
  const { value } = created;
  services.reads.comments.fences.expect(value.author, value.id, value.version, value.postId);
  services.events.emit('commentCreated', created);
}
