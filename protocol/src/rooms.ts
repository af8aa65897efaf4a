import type { Topic } from './types.js';

/** The room every posts topic joins, whatever snapshot it asked for. */
export const POSTS_ROOM = 'posts';

/** The room of one post's comments. */
export function commentsRoom(postId: string): string {
  return `comments:${postId}`;
}

/** The room a topic joins on the server, and so the changes it receives. */
export function roomOf(topic: Topic): string {
  return topic.topic === 'posts' ? POSTS_ROOM : commentsRoom(topic.postId);
}
