export {
  COMMENT_SNAPSHOT_LIMIT,
  DEFAULT_COMMENT_PAGE_SIZE,
  DEFAULT_PAGE_SIZE,
  DEFAULT_POST_SORT,
  ID_PATTERN,
  MAX_COMMENT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  POST_SORTS,
  QUERY_DEFAULTS,
  SCOPES,
  VOTES,
} from './constants.js';
export type { Change, ClientToServerEvents, LivePost, ServerToClientEvents, SocketAuth, UnsubscribeAck } from './events.js';
export { type Compare, commentOrder, postOrder } from './ordering.js';
export { MAX_PAGE_URL_LENGTH, normalisePageUrl } from './page-url.js';
export { hotRank, type Rankable } from './ranking.js';
export { commentsRoom, POSTS_ROOM, roomOf } from './rooms.js';
export type {
  ApiInfo,
  Comment,
  CommentListQuery,
  components,
  NewComment,
  NewPageComment,
  NewPost,
  NewUser,
  operations,
  Page,
  PageComment,
  PasswordChange,
  Post,
  PostListQuery,
  PostSort,
  Problem,
  paths,
  Scope,
  Session,
  SubscribeAck,
  Topic,
  User,
  UserListQuery,
  Vote,
} from './types.js';
