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

/**
 * A comment created or deleted moves its post too (its count and version):
 * the writer's next reads of posts wait for that version as well.
 */
export async function fencePostOf(services: Services, login: string, postId: string): Promise<void> {
  const post = await services.store.getPost(postId);
  if (post) services.reads.posts.fences.expect(login, post.id, post.version);
}
