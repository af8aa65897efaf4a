// The protocol's types and the values apps need, so that they depend on the SDK alone.
export {
  type ApiInfo,
  type Ban,
  type Change,
  type ClientToServerEvents,
  type Comment,
  type CommentEdit,
  type CommentListQuery,
  type components,
  DEFAULT_PAGE_SIZE,
  DEFAULT_POST_SORT,
  type FlagReason,
  hotRank,
  type LivePost,
  MAX_PAGE_SIZE,
  MAX_TOPICS_PER_SOCKET,
  type ModerationAction,
  type ModerationLogEntry,
  type ModerationQueueItem,
  type NewBan,
  type NewComment,
  type NewPageComment,
  type NewPost,
  type NewUser,
  type Notification,
  type NotificationListQuery,
  type NotificationPage,
  type NotificationReadRequest,
  type NotificationReadResult,
  normalisePageUrl,
  type operations,
  type Page,
  type PageComment,
  POST_SORTS,
  type Post,
  type PostEdit,
  type PostListQuery,
  type PostSort,
  type Presence,
  type PresenceTopic,
  type Problem,
  type paths,
  type Rankable,
  type Scope,
  type ServerToClientEvents,
  type Session,
  type SocketAuth,
  type SubscribeAck,
  type Topic,
  type UnsubscribeAck,
  type User,
  type UserListQuery,
  VOTES,
  type Vote,
} from '@news-forum/protocol';
export { type ClientOptions, createClient, type NewsForumClient } from './client.js';
export { ApiError } from './errors/api-error.js';
export { NetworkError } from './errors/network-error.js';
export { type ErrorCode, isNewsForumError, NewsForumError, type NewsForumErrorJSON } from './errors/news-forum-error.js';
export { TimeoutError } from './errors/timeout-error.js';
export type { ConnectionEvents, SocketClientOptions } from './live/connection.js';
export type { Live, LiveCommentsTopic, LivePostsTopic, LiveTopic, WatchPostsOptions } from './live/live.js';
export type { LiveView, LoadMoreResult, PagedLiveView, WatchOptions } from './live/live-view.js';
export type { LiveStatus, StatusEvent } from './live/status.js';
export type { TopicEvents } from './live/topic-feed.js';
export type { RetryDelay } from './rest/backoff.js';
export type { CommentsApi } from './rest/comments.js';
export type { ModerationApi, ModerationListQuery, ReasonOptions } from './rest/moderation.js';
export type { NotificationsApi } from './rest/notifications.js';
export type { PagesApi } from './rest/pages.js';
export type { PostsApi } from './rest/posts.js';
export type { CallOptions, CreateOptions, RequestError, Result } from './rest/result.js';
export type { UsersApi } from './rest/users.js';
