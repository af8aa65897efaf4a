export { createClient, type ClientOptions, type NewsForumClient } from './client.js';
export { ApiError } from './errors/api-error.js';
export { NetworkError } from './errors/network-error.js';
export { isNewsForumError, NewsForumError, type ErrorCode, type NewsForumErrorJSON } from './errors/news-forum-error.js';
export { TimeoutError } from './errors/timeout-error.js';
export { hotRank, type Rankable } from './ranking.js';
export type { RetryDelay } from './rest/backoff.js';
export type { CommentsApi } from './rest/comments.js';
export type { PostsApi } from './rest/posts.js';
export type { CallOptions, CreateOptions, RequestError, Result } from './rest/result.js';
export type { UsersApi } from './rest/users.js';
export type { ConnectionEvents, SocketClientOptions } from './live/connection.js';
export type {
  Change, ClientToServerEvents, LivePost, ServerToClientEvents, SocketAuth, SubscribeAck, Topic, UnsubscribeAck,
} from './live/events.js';
export type { Live, LiveCommentsTopic, LivePostsTopic, LiveTopic, WatchPostsOptions } from './live/live.js';
export type { LiveView, LoadMoreResult, PagedLiveView, WatchOptions } from './live/live-view.js';
export type { LiveStatus, StatusEvent } from './live/status.js';
export type { TopicEvents } from './live/topic-feed.js';
export type {
  ApiInfo, Comment, CommentListQuery, NewComment, NewPost, NewUser, Page, Post, PostListQuery, PostSort, Problem, Scope,
  Session, User, UserListQuery, components, operations, paths,
} from './types.js';
