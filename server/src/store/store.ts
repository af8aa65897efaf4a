import type { Change, Comment, HiddenBy, LivePost, PostSort, Scope, Vote } from '@news-forum/protocol';

export type { Change, Vote };
/** Posts as stored: the API's Post without the per-reader `myVote`. */
export type StoredPost = LivePost;
/** Comments as stored: always with their author (the API omits it from hidden comments). */
export type StoredComment = Comment & { author: string };

/** An account as stored. `passwordHash` never leaves the server. */
export interface UserRecord {
  /** Never reused: a login deleted and taken again names a new account. */
  id: string;
  login: string;
  displayName: string;
  scopes: Scope[];
  passwordHash: string;
  createdAt: string;
  /**
   * Starts at 0; ending the account's sessions (password change, an admin's
   * end-all) raises it. Tokens carry the value they were issued with, so
   * every older token is void.
   */
  sessionVersion: number;
  /** Present while banned, and after the ban's end until lifted (`until` says whether it holds). */
  ban?: BanRecord;
}

/** A token signed out before it expired: refused until `expiresAt`, then forgotten. */
export interface RevokedToken {
  /** The token's `jti`, a UUID. */
  jti: string;
  /** The id of the account it was issued to. */
  accountId: string;
  expiresAt: string;
}

export interface NewUserRecord {
  login: string;
  displayName: string;
  scopes: Scope[];
  passwordHash: string;
}

export interface NewPostRecord {
  title: string;
  url: string | null;
  text: string | null;
  author: string;
}

/** The post of a page's discussion: `pageUrl` is normalised (protocol's normalisePageUrl). */
export interface NewPagePostRecord {
  pageUrl: string;
  title: string;
  author: string;
}

export interface NewCommentRecord {
  postId: string;
  parentId: string | null;
  author: string;
  text: string;
}

/**
 * Makes a creation idempotent: the first creation with (`owner`, `key`) is
 * remembered with `requestHash`; a later one with the same key returns the
 * first result (`replayed: true`), or fails with `idempotency-mismatch`
 * when its hash differs.
 */
export interface IdempotencyKey {
  owner: string;
  key: string;
  requestHash: string;
}

export interface Created<T> {
  value: T;
  replayed: boolean;
}

/** When a post was made, and last edited if it was. */
export type PostDates = Pick<StoredPost, 'id' | 'createdAt' | 'editedAt'>;

export interface PageRequest {
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The feed reopened after an error: changes may have been missed, resync. */
export interface FeedReset {
  reset: true;
  /**
   * The database went back (it lost commits the feed had delivered, or was
   * replaced): versions delivered before may come again with other states,
   * so what was seen of them is no guide to what is newer.
   */
  rewound?: true;
}

export interface TableDocs {
  posts: StoredPost;
  comments: StoredComment;
}
export type Table = keyof TableDocs;
export type FeedItem<K extends Table> = Change<TableDocs[K]> | FeedReset;

/** A vote as stored: one row per (post, account). */
export interface VoteRecord {
  postId: string;
  login: string;
  value: 1 | -1;
}

/** A remembered Idempotency-Key and what its first request created. */
export interface IdempotencyRecord {
  owner: string;
  key: string;
  requestHash: string;
  resourceId: string;
  createdAt: string;
}

/**
 * A reply to a reader's post or comment, kept for them (`recipient`) until
 * pruned (see notifications.ts).
 */
export interface NotificationRecord {
  id: string;
  recipient: string;
  commentId: string;
  postId: string;
  /** Who replied. */
  actor: string;
  /** The start of the reply's text. */
  excerpt: string;
  createdAt: string;
  readAt: string | null;
  /** Listings only: the reply or its post is hidden from readers (by a moderator when either was), so its text is not shown. */
  hiddenBy?: HiddenBy;
}

/** A created comment, with the notification written in the same transaction (none when replayed or a reply to oneself). */
export interface CreatedComment extends Created<StoredComment> {
  notification: NotificationRecord | null;
}

export interface NotificationPageRequest extends PageRequest {
  unreadOnly: boolean;
}

/** Which notifications to mark read: some of the recipient's, or all. */
export type NotificationSelection = { ids: string[] } | { all: true };

/**
 * One row of a backup. Rows come table by table, every row after the rows
 * it refers to: users, posts, comments (a reply after its parent), votes,
 * idempotency keys, notifications, flags, the moderation log, and the
 * revoked tokens that have not expired.
 */
export type BackupRecord =
  | { table: 'users'; row: UserRecord }
  | { table: 'posts'; row: StoredPost }
  | { table: 'comments'; row: StoredComment }
  | { table: 'votes'; row: VoteRecord }
  | { table: 'idempotencyKeys'; row: IdempotencyRecord }
  | { table: 'notifications'; row: NotificationRecord }
  | { table: 'flags'; row: FlagRecord }
  | { table: 'moderationLog'; row: AuditEntry }
  | { table: 'revokedTokens'; row: RevokedToken };
export type BackupTable = BackupRecord['table'];

/** Where exportRows() hands what it reads, batch by batch. */
export interface BackupSink {
  /** Called once, before any row, with the change-feed position the snapshot was taken at. */
  begin(snapshot: { feedPosition: string }): Promise<void>;
  rows(batch: BackupRecord[]): Promise<void>;
}

/** How many rows of each table a restore wrote. */
export type RowCounts = Record<BackupTable, number>;

/** No row of any table: every table of a backup, in the order its rows come (the compiler refuses one missing). */
export const NO_ROWS: Readonly<RowCounts> = {
  users: 0,
  posts: 0,
  comments: 0,
  votes: 0,
  idempotencyKeys: 0,
  notifications: 0,
  flags: 0,
  moderationLog: 0,
  revokedTokens: 0,
};
/** Every table of a backup, in the order its rows come. */
export const BACKUP_TABLES = Object.keys(NO_ROWS) as readonly BackupTable[];

/**
 * Persistence of users, posts, votes and comments, and the change feed of
 * posts and comments. Adapters: embedded (PGlite), postgres, rethinkdb.
 * Failures are thrown as StoreError (`conflict`, `not-found`,
 * `idempotency-mismatch`, `invalid` for a bad cursor, `unavailable`, and
 * `account-gone` for a post, comment or vote by an account that does not
 * exist, such as one deleted while the write was under way).
 */
// moderation

/** A ban: writes refused until `until`, or for good when it is null. */
export interface BanRecord {
  until: string | null;
  reason: string | null;
}

/** What a moderator acts on. */
export type ModerationTarget = { kind: 'post'; postId: string } | { kind: 'comment'; postId: string; id: string };

/** An entry of the moderation log, as an action writes it (in the action's transaction). */
export interface AuditRecord {
  actor: string;
  action: 'hide' | 'restore' | 'lock' | 'unlock' | 'ban' | 'lift-ban' | 'edit' | 'set-scopes' | 'delete-account';
  targetKind: 'post' | 'comment' | 'user';
  targetId: string;
  reason: string | null;
  detail?: Record<string, unknown>;
}

/** An entry of the moderation log as stored. */
export interface AuditEntry extends AuditRecord {
  id: string;
  at: string;
}

/** Who edits: the author within `windowSeconds` of creation, or a moderator (`windowSeconds` null) any time. */
export interface EditGuard {
  editor: string;
  windowSeconds: number | null;
}

/** The members of a post an edit replaces. */
export interface PostEditRecord {
  title?: string;
  url?: string | null;
  text?: string | null;
}

/** One reader's flag on a post or comment. */
export interface FlagRecord {
  kind: 'post' | 'comment';
  targetId: string;
  login: string;
  reason: string;
  createdAt: string;
}

/** A flagged or hidden item of the moderation queue. */
export interface QueueRecord {
  kind: 'post' | 'comment';
  at: string;
  post?: StoredPost;
  comment?: StoredComment;
}

export interface Store {
  readonly kind: 'embedded' | 'postgres' | 'rethinkdb';
  /**
   * The database's identity (openapi.yaml's DatabaseEpoch) as the change feed
   * last read it: the same on every node and across restarts, another once
   * the database is created anew or restored. Undefined where there is none.
   */
  readonly epoch: string | undefined;

  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Throws StoreError `conflict` when the login is taken. */
  createUser(user: NewUserRecord): Promise<UserRecord>;
  getUser(login: string): Promise<UserRecord | null>;
  /** Ordered by login. */
  listUsers(page: PageRequest): Promise<Page<UserRecord>>;
  /**
   * Removes the account, its posts (and their comments), its comments (and
   * their replies), and retracts its votes. Writes by the account that race
   * it either finish first (and are removed) or fail `account-gone`. Throws
   * `last-admin` for the only account with `admin`; `audit` is logged with it.
   */
  deleteUser(login: string, audit?: AuditRecord): Promise<boolean>;
  /**
   * Replaces the account's password hash and raises its sessionVersion in
   * one step. Returns the account as changed, or null when there is none.
   */
  setPassword(login: string, passwordHash: string): Promise<UserRecord | null>;
  /** Raises the account's sessionVersion. Returns the account as changed, or null when there is none. */
  endSessions(login: string): Promise<UserRecord | null>;

  /**
   * Remembers a revoked token until it expires (then it is pruned).
   * Revoking it again changes nothing; nothing is remembered for an account
   * that no longer exists (its tokens are void anyway).
   */
  revokeToken(token: RevokedToken): Promise<void>;
  /** The revoked tokens that have not expired yet, in no particular order. */
  listRevokedTokens(): Promise<RevokedToken[]>;

  createPost(post: NewPostRecord, idempotency?: IdempotencyKey): Promise<Created<StoredPost>>;
  getPost(id: string): Promise<StoredPost | null>;
  /** Without hidden posts unless `includeHidden` (moderators). */
  listPosts(sort: PostSort, page: PageRequest, options?: { includeHidden?: boolean }): Promise<Page<StoredPost>>;
  /** The id and dates of the newest `limit` visible posts, newest first: what a sitemap needs, without their text. */
  listPostDates(limit: number): Promise<PostDates[]>;
  /** Removes the post and its comments. */
  deletePost(id: string): Promise<boolean>;

  /**
   * Sets `login`'s vote on the post (0 retracts); counters change in the same
   * transaction, and `version` increases only when the vote changed.
   * Returns null when the post does not exist or is hidden (a hidden post
   * takes no votes).
   */
  setVote(postId: string, login: string, vote: Vote): Promise<StoredPost | null>;
  /** The caller's votes on the given posts (posts without a vote are absent). */
  getVotes(login: string, postIds: string[]): Promise<Map<string, Vote>>;

  /**
   * Throws `not-found` when the post or the parent comment (of that post)
   * does not exist, or the post is hidden. Notifies, in the same transaction, the author of the
   * parent comment (or of the post, for a top-level comment) unless that is
   * the comment's own author.
   */
  createComment(comment: NewCommentRecord, idempotency?: IdempotencyKey): Promise<CreatedComment>;
  getComment(postId: string, id: string): Promise<StoredComment | null>;
  /** Oldest first. */
  listComments(postId: string, page: PageRequest): Promise<Page<StoredComment>>;
  /** Removes the comment and its replies. */
  deleteComment(postId: string, id: string): Promise<boolean>;

  /**
   * Reads every row of every table from one consistent snapshot (writes may
   * go on meanwhile) and hands them to `sink` in BackupRecord order.
   */
  exportRows(sink: BackupSink): Promise<void>;
  /**
   * Writes rows read by exportRows() (of any adapter) into an empty
   * database, all or nothing, then recounts every post's counters from its
   * votes and comments. Throws StoreError `conflict` when the database holds
   * any account, post, comment, vote or idempotency key, and `invalid` when
   * a row does not fit (a reply before its parent, a vote on no post).
   */
  importRows(records: AsyncIterable<BackupRecord>): Promise<RowCounts>;

  /**
   * Every insert, update and delete of the table, in commit order, as
   * `{old_val, new_val}`. Yields a FeedReset when the feed had to be reopened
   * and changes may have been lost. Ends when `signal` aborts or the store closes.
   */
  changes<K extends Table>(table: K, options?: { signal?: AbortSignal }): AsyncIterable<FeedItem<K>>;

  // pages
  /** The post of the page with this normalised URL, or null. */
  getPagePost(pageUrl: string): Promise<StoredPost | null>;
  /**
   * The post of the page, created (with `url` = `pageUrl`, no text) unless
   * it exists. Concurrent calls for one page all get the same post.
   * Throws `account-gone` when it creates and the author's account is gone.
   */
  ensurePagePost(page: NewPagePostRecord): Promise<StoredPost>;
  /**
   * A top-level comment by `page.author` on the page's discussion, its post
   * created as ensurePagePost does once the Idempotency-Key is settled, and,
   * on the SQL stores, in the comment's transaction: a comment refused leaves
   * no post behind. Otherwise as createComment.
   */
  createPageComment(page: NewPagePostRecord, text: string, idempotency?: IdempotencyKey): Promise<CreatedComment>;
  // notifications

  /** The recipient's notifications, newest first, with how many are unread. */
  listNotifications(recipient: string, page: NotificationPageRequest): Promise<Page<NotificationRecord> & { unread: number }>;
  /** Marks the recipient's selected notifications read (others' ids are ignored); returns how many changed and how many stay unread. */
  markNotificationsRead(recipient: string, which: NotificationSelection): Promise<{ marked: number; unread: number }>;
  // moderation

  /** Throws `not-found`, or `edit-window-closed` when the guard's author is past the window. */
  editPost(id: string, edit: PostEditRecord, guard: EditGuard, audit?: AuditRecord): Promise<StoredPost>;
  /** Throws `not-found`, or `edit-window-closed` when the guard's author is past the window. */
  editComment(postId: string, id: string, text: string, guard: EditGuard, audit?: AuditRecord): Promise<StoredComment>;
  /**
   * Records `login`'s flag, and returns the item's version it produced; at
   * `threshold` flags the item is hidden. A reader's flag counts once: again
   * changes nothing and returns undefined. Throws `not-found`, `account-gone`.
   */
  flag(target: ModerationTarget, login: string, reason: string, threshold: number): Promise<number | undefined>;
  /** Hides or restores (restoring dismisses the flags). Throws `not-found`. */
  setHidden(target: ModerationTarget, hidden: boolean, audit: AuditRecord): Promise<StoredPost | StoredComment>;
  /** Throws `not-found`. */
  setLocked(postId: string, locked: boolean, audit: AuditRecord): Promise<StoredPost>;
  /**
   * Bans (null lifts). With `hideContent` also hides every post and comment
   * of the account (each with a higher version) and adds
   * `{hideContent: true, posts, comments}` (how many it hid) to the log
   * entry's detail. Lifting restores nothing. Throws `not-found`.
   */
  setBan(login: string, ban: BanRecord | null, audit: AuditRecord, hideContent?: boolean): Promise<UserRecord>;
  /** Throws `not-found`, or `last-admin` when it would leave no account with `admin`. */
  setScopes(login: string, scopes: Scope[], audit: AuditRecord): Promise<UserRecord>;
  /** Flagged and hidden posts and comments, newest first. */
  listModerationQueue(page: PageRequest): Promise<Page<QueueRecord>>;
  /** Newest first. */
  listModerationLog(page: PageRequest): Promise<Page<AuditEntry>>;
}
