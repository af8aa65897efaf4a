import type { components, operations, paths } from './generated/openapi.js';

export type { components, operations, paths };

type Schemas = components['schemas'];
/** A post as the API returns it. */
export type Post = Schemas['Post'];
/** A comment as the API returns it. */
export type Comment = Schemas['Comment'];
/** An account (never carries a password hash). */
export type User = Schemas['User'];
/** The answer to a successful login. */
export type Session = Schemas['Session'];
/** RFC 9457 problem details, the body of every error answer. */
export type Problem = Schemas['Problem'];
/** Name, version and instance of the server that answered `GET /api`. */
export type ApiInfo = Schemas['ApiInfo'];
/** Token scope. */
export type Scope = Schemas['Scope'];
/** Orderings of the post list. */
export type PostSort = Schemas['PostSort'];
/** A vote on a post: down, none, up. */
export type Vote = Schemas['Vote'];
/** Body of `POST /api/posts`. */
export type NewPost = Schemas['NewPost'];
/** Body of `PUT /api/comments/{pid}`. */
export type NewComment = Schemas['NewComment'];
/** Body of `PUT /api/users/{login}`. */
export type NewUser = Schemas['NewUser'];
/** Body of `PUT /api/me/password`. */
export type PasswordChange = Schemas['PasswordChange'];
/** Body of `PUT /api/pages/comments`: a comment on a page, which starts its discussion when it is the first. */
export type NewPageComment = Schemas['NewPageComment'];
/** Answer of `PUT /api/pages/comments`: the page's post and the comment. */
export type PageComment = Schemas['PageComment'];
/** A page of a paginated list. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
/** Query of `GET /api/posts`. */
export type PostListQuery = NonNullable<operations['listPosts']['parameters']['query']>;
/** Query of `GET /api/comments/{pid}`. */
export type CommentListQuery = NonNullable<operations['listComments']['parameters']['query']>;
/** Query of `GET /api/users`. */
export type UserListQuery = NonNullable<operations['listUsers']['parameters']['query']>;
/**
 * What a socket subscribes to. For posts, `sort` and `limit` (1 to 100,
 * default hot and 30) choose the snapshot; the stream carries every post.
 */
export type Topic = Schemas['Topic'];
/** Acknowledgement of `subscribe`: a snapshot taken after joining the room, or the problem. */
export type SubscribeAck = Schemas['SubscribeAck'];
/** A reply to the recipient's post or comment (`GET /api/me/notifications`, socket event `notification`). */
export type Notification = Schemas['Notification'];
/** A page of notifications, with the recipient's unread count. */
export type NotificationPage = Schemas['NotificationPage'];
/** Body of `POST /api/me/notifications/read`: `{ids}` or `{all: true}`. */
export type NotificationReadRequest = Schemas['NotificationReadRequest'];
/** Answer of `POST /api/me/notifications/read`. */
export type NotificationReadResult = Schemas['NotificationReadResult'];
/** Query of `GET /api/me/notifications`. */
export type NotificationListQuery = NonNullable<operations['listNotifications']['parameters']['query']>;
// moderation
/** Body of `PUT /api/posts/{pid}/edit`. */
export type PostEdit = Schemas['PostEdit'];
/** Body of `PUT /api/comments/{pid}/{id}/edit`. */
export type CommentEdit = Schemas['CommentEdit'];
/** Why a reader flags a post or comment. */
export type FlagReason = Schemas['FlagReason'];
/** Who hid a hidden post or comment: a moderator (or a ban), or readers' flags until a moderator decides. */
export type HiddenBy = Schemas['HiddenBy'];
/** Body of the moderator actions: the reason, for the moderation log. */
export type ModerationNote = Schemas['ModerationNote'];
/** Body of `PUT /api/users/{login}/ban`. */
export type NewBan = Schemas['NewBan'];
/** A ban of an account. */
export type Ban = Schemas['Ban'];
/** A flagged or hidden item of the moderation queue. */
export type ModerationQueueItem = Schemas['ModerationQueueItem'];
/** One entry of the moderation log. */
export type ModerationLogEntry = Schemas['ModerationLogEntry'];
/** What the moderation log records. */
export type ModerationAction = ModerationLogEntry['action'];
