import type { PresenceTopic } from './events.js';
import type { Topic } from './types.js';

const COMMENTS_PREFIX = 'comments:';

/** The room every posts topic joins, whatever snapshot it asked for. */
export const POSTS_ROOM = 'posts';

/** The room of one post's comments. */
export function commentsRoom(postId: string): string {
  return `${COMMENTS_PREFIX}${postId}`;
}

/** The room a topic joins on the server, and so the changes it receives. */
export function roomOf(topic: Topic): string {
  return topic.topic === 'posts' ? POSTS_ROOM : commentsRoom(topic.postId);
}

/** The topic whose readers a room holds, or undefined for any other room (a socket's own, an account's). */
export function topicOfRoom(room: string): PresenceTopic | undefined {
  if (room === POSTS_ROOM) return { topic: 'posts' };
  if (room.startsWith(COMMENTS_PREFIX)) return { topic: 'comments', postId: room.slice(COMMENTS_PREFIX.length) };
  return undefined;
}
