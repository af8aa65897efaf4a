import type { PostSort, Scope, Vote } from './types.js';

/**
 * `values`, checked to list every member of the union `U`: a member added
 * to openapi.yaml and missing here fails to compile.
 */
function everyMember<U>() {
  return <const T extends readonly U[]>(values: T & ([U] extends [T[number]] ? unknown : never)): T => values;
}

/** Every ordering of the post list. */
export const POST_SORTS = everyMember<PostSort>()(['hot', 'new', 'top']);
/** Every token scope. */
export const SCOPES = everyMember<Scope>()(['read', 'delete', 'admin']);
/** Every vote a reader can hold on a post. */
export const VOTES = everyMember<Vote>()([-1, 0, 1]);

/** Ordering of `GET /api/posts` and of posts snapshots when none is asked for. */
export const DEFAULT_POST_SORT = 'hot' satisfies PostSort;
/** Page size of posts and accounts (and of posts snapshots) when none is asked for. */
export const DEFAULT_PAGE_SIZE = 30;
/** Largest page of posts or accounts, and largest posts snapshot. */
export const MAX_PAGE_SIZE = 100;
/** Page size of `GET /api/comments/{pid}` when none is asked for. */
export const DEFAULT_COMMENT_PAGE_SIZE = 100;
/** Largest page of `GET /api/comments/{pid}`. */
export const MAX_COMMENT_PAGE_SIZE = 200;
/** Page size of `GET /api/me/notifications` when none is asked for. */
export const DEFAULT_NOTIFICATION_PAGE_SIZE = 20;
/** A comments snapshot holds at most this many comments of the post (the oldest). */
export const COMMENT_SNAPSHOT_LIMIT = 200;
/**
 * A socket that takes `postpatches` holds at most this many posts, those most
 * recently sent to it; the server patches only those, so a reader's memory
 * stays bounded however long it stays connected.
 */
export const MAX_HELD_POSTS = 1_000;
/**
 * Topics one socket may follow at once (the posts, each post's comments):
 * each is a room the node keeps the socket in until it leaves. A subscribe
 * beyond it is refused with 409 until the socket unsubscribes from one.
 */
export const MAX_TOPICS_PER_SOCKET = 50;
/** Post and comment ids: lowercase UUIDs. */
export const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Query parameters the server fills in when absent, by operation. */
export const QUERY_DEFAULTS = {
  listUsers: { limit: DEFAULT_PAGE_SIZE },
  listPosts: { sort: DEFAULT_POST_SORT, limit: DEFAULT_PAGE_SIZE },
  listComments: { limit: DEFAULT_COMMENT_PAGE_SIZE },
  listNotifications: { limit: DEFAULT_NOTIFICATION_PAGE_SIZE, unread: false },
  listModerationQueue: { limit: DEFAULT_PAGE_SIZE },
  listModerationLog: { limit: DEFAULT_PAGE_SIZE },
} as const;
