import type { Comment, NewsForumError, Post, User, Vote } from '@news-forum/sdk';

/** A reader's vote on a post: up, none, down. */
export type { Vote };

/** `news-forum-vote`: the server accepted the reader's vote (or its retraction). */
export interface VoteEventDetail {
  postId: string;
  vote: Vote;
  /** The post as the server returned it, counts included. */
  post: Post;
}

/** `news-forum-login`: the reader signed in (`created` when they had just signed up). */
export interface LoginEventDetail {
  user: User;
  created: boolean;
}

/**
 * `news-forum-logout`: the reader signed out, the server ended the session (account deleted, token expired), or the
 * element's `api` now names another forum (the reader's token there is signed out).
 */
export interface LogoutEventDetail {
  login: string;
  reason: 'user' | 'session-ended' | 'api-changed';
}

/** `news-forum-post-created`: the reader submitted a post. */
export interface PostCreatedEventDetail {
  post: Post;
}

/** `news-forum-comment-created`: the reader commented or replied. */
export interface CommentCreatedEventDetail {
  comment: Comment;
}

/** What the reader (or the widget) was doing when an error happened. */
export type ErrorAction = 'load' | 'live' | 'vote' | 'sign-in' | 'sign-up' | 'post' | 'comment' | 'delete' | 'moderate';

/** `news-forum-error`: something failed; the widget shows `message` too. */
export interface ErrorEventDetail {
  action: ErrorAction;
  /** The text the widget shows. */
  message: string;
  /** The SDK's error: `code`, `status`, and `problem` (the server's RFC 9457 body) when it answered. */
  error: NewsForumError;
}

/** Every event `<news-forum>` fires, by name. */
export interface NewsForumEventMap {
  'news-forum-vote': CustomEvent<VoteEventDetail>;
  'news-forum-login': CustomEvent<LoginEventDetail>;
  'news-forum-logout': CustomEvent<LogoutEventDetail>;
  'news-forum-post-created': CustomEvent<PostCreatedEventDetail>;
  'news-forum-comment-created': CustomEvent<CommentCreatedEventDetail>;
  'news-forum-error': CustomEvent<ErrorEventDetail>;
}

declare global {
  interface GlobalEventHandlersEventMap extends NewsForumEventMap {}
}

/** Dispatches one of the widget's events; they bubble out of the shadow root. */
export function emit<K extends keyof NewsForumEventMap>(target: EventTarget, name: K, detail: NewsForumEventMap[K]['detail']): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}
