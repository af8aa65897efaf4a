import type { Topic } from '@news-forum/sdk';

export const POSTS_ROOM = 'posts';
export const commentsRoom = (postId: string): string => `comments:${postId}`;
export const userRoom = (login: string): string => `user:${login}`;
export const roomOf = (topic: Topic): string => (topic.topic === 'posts' ? POSTS_ROOM : commentsRoom(topic.postId));
