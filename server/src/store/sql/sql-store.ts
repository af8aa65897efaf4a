import { randomUUID } from 'node:crypto';
import { hotRank, ID_PATTERN, type PostSort, type Scope } from '@news-forum/protocol';
import { type CursorKeys, decodeCursor, encodeCursor } from '../cursor.js';
import { pageSize, toPage } from '../pages.js';
import type {
  AuditEntry,
  AuditRecord,
  BackupRecord,
  BackupSink,
  BanRecord,
  Created,
  CreatedComment,
  EditGuard,
  FeedItem,
  IdempotencyKey,
  ModerationTarget,
  NewCommentRecord,
  NewPagePostRecord,
  NewPostRecord,
  NewUserRecord,
  NotificationPageRequest,
  NotificationRecord,
  NotificationSelection,
  Page,
  PageRequest,
  PostDates,
  PostEditRecord,
  QueueRecord,
  RevokedToken,
  RowCounts,
  Store,
  StoredComment,
  StoredPost,
  Table,
  UserRecord,
  Vote,
} from '../store.js';
import { StoreError } from '../store-error.js';
import { lockAccount } from './account-lock.js';
import { exportSnapshot, importBackup } from './backup.js';
import { ChangeFeed, readFeedPosition } from './change-feed.js';
import { conflictLeft, RETRY_ATTEMPTS, RETRYABLE_STATES, sqlState } from './database-errors.js';
import type { SqlDriver, SqlExecutor } from './driver.js';
import { DEFAULT_RETENTION, EMBEDDED_CHECKPOINT_WAL_BYTES, type Retention, scheduleHousekeeping } from './housekeeping.js';
import { migrate, SET_WISE_VOTES } from './migrations.js';
import * as moderation from './moderation.js';
import { listNotifications, markNotificationsRead, notifyReply } from './notifications.js';
import { ensurePagePost, getPagePost, handOverPagePosts } from './pages.js';
import { recount } from './recount.js';
import { UserReader } from './user-reader.js';
import { VoteBatcher } from './vote-batcher.js';

// PostgreSQL reads upper-case UUIDs too.
const UUID = new RegExp(ID_PATTERN.source, 'i');
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A keyset ordering of posts: SQL, and the cursor keys of an item. */
interface PostOrder {
  order: string;
  after: string;
  kinds: readonly ('string' | 'number')[];
  valid: (keys: CursorKeys) => boolean;
  keys: (row: { doc: StoredPost; hot: number }) => CursorKeys;
}

const POST_ORDERS: Record<PostSort, PostOrder> = {
  hot: {
    order: 'p.hot DESC, p.id DESC',
    after: '(p.hot, p.id) < ($1::float8, $2::uuid)',
    kinds: ['number', 'string'],
    valid: ([, id]) => UUID.test(String(id)),
    keys: ({ doc, hot }) => [hot, doc.id],
  },
  new: {
    order: 'p.created_at DESC, p.id DESC',
    after: '(p.created_at, p.id) < ($1::timestamptz, $2::uuid)',
    kinds: ['string', 'string'],
    valid: ([at, id]) => ISO_MS.test(String(at)) && UUID.test(String(id)),
    keys: ({ doc }) => [doc.createdAt, doc.id],
  },
  top: {
    order: 'p.score DESC, p.created_at DESC, p.id DESC',
    after: '(p.score, p.created_at, p.id) < ($1::integer, $2::timestamptz, $3::uuid)',
    kinds: ['number', 'string', 'string'],
    valid: ([score, at, id]) => Number.isInteger(score) && ISO_MS.test(String(at)) && UUID.test(String(id)),
    keys: ({ doc }) => [doc.score, doc.createdAt, doc.id],
  },
};

export interface SqlStoreOptions {
  retention?: Partial<Retention>;
}

/** How long, on a loaded node, votes and account reads wait for others to share a statement. */
const LOADED_GATHER_MS = 5;
/**
 * On a loaded embedded node, votes and account reads wait longer, until a batch of votes is long enough to be cast
 * set-wise: there each statement runs on the node's own thread, and at 200 votes/s a batch of 2.4 votes cost 4.3 ms
 * of it (docs/WRITE-THROUGHPUT.md).
 */
const EMBEDDED_LOADED_GATHER = { gatherMs: 20, gatherBelow: SET_WISE_VOTES };

/**
 * The Store over PostgreSQL SQL, shared by the embedded (PGlite) and
 * postgres (`pg`) adapters. JSON shapes come from the SQL functions
 * `user_json`, `post_json` and `comment_json`, which the change-log triggers
 * use too, so reads and the feed cannot drift apart.
 */
export class SqlStore implements Store {
  readonly kind: 'embedded' | 'postgres';
  readonly #driver: SqlDriver;
  readonly #feed: ChangeFeed;
  readonly #stopHousekeeping: () => Promise<void>;
  readonly #votes: VoteBatcher;
  readonly #users: UserReader;
  #closing: Promise<void> | undefined;

  private constructor(kind: 'embedded' | 'postgres', driver: SqlDriver, feed: ChangeFeed, stopHousekeeping: () => Promise<void>) {
    this.kind = kind;
    this.#driver = driver;
    this.#feed = feed;
    this.#stopHousekeeping = stopHousekeeping;
    // PGlite runs one statement at a time, synchronously: only deferring gathers a batch there. On PostgreSQL
    // too the first item to find a slot free would go alone: votes under load averaged 4 per batch instead of
    // about 50, and at 200 votes/s account reads and votes went nearly one per statement, each a round trip
    // (docs/WRITE-THROUGHPUT.md). Of a pool of 10 connections, 4 vote statements and 2 account reads leave room
    // for the rest. On a loaded node requests come one per turn, and each statement costs the node (and a
    // database on the same machine) more than a row does: they wait a little for each other.
    const embedded = kind === 'embedded';
    const gather = { defer: true, ...(embedded ? EMBEDDED_LOADED_GATHER : { gatherMs: LOADED_GATHER_MS }) };
    this.#votes = new VoteBatcher(() => this.#db(), { slots: embedded ? 1 : 4, ...gather }, feed);
    this.#users = new UserReader(() => this.#db(), { slots: embedded ? 1 : 2, ...gather });
  }

  get epoch(): string {
    return this.#feed.epoch;
  }

  /** Migrates the database and returns the store; closes the driver if that fails. */
  static async open(kind: 'embedded' | 'postgres', driver: SqlDriver, options: SqlStoreOptions = {}): Promise<SqlStore> {
    try {
      await migrate(driver);
      const feed = new ChangeFeed(driver, await readFeedPosition(driver), { prepared: kind === 'postgres' });
      const stopHousekeeping = scheduleHousekeeping(
        driver,
        { ...DEFAULT_RETENTION, ...options.retention },
        kind === 'embedded' ? { vacuum: true, checkpointWalBytes: EMBEDDED_CHECKPOINT_WAL_BYTES } : { vacuum: false },
      );
      return new SqlStore(kind, driver, feed, stopHousekeeping);
    } catch (error) {
      await driver.close().catch(() => undefined);
      throw error;
    }
  }

  async ping(): Promise<void> {
    await this.#db().query('SELECT 1');
    // As RethinkDB's: a node whose feed cannot hear commits would serve what memory holds without their changes.
    if (!this.#feed.hearing) throw new StoreError('unavailable', 'The change feed is not listening');
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#stopHousekeeping();
      await this.#feed.close();
      await this.#driver.close();
    })();
    return this.#closing;
  }

  // Users

  async createUser(user: NewUserRecord): Promise<UserRecord> {
    const [row] = await this.#db().query<{ doc: UserRecord }>(
      `INSERT INTO users AS u (login, display_name, scopes, password_hash) VALUES ($1, $2, $3::text[], $4)
       ON CONFLICT (login) DO NOTHING RETURNING user_json(u) AS doc`,
      [user.login, user.displayName, user.scopes, user.passwordHash],
    );
    if (!row) throw new StoreError('conflict', `The login ${user.login} is taken`);
    return row.doc;
  }

  getUser(login: string): Promise<UserRecord | null> {
    return this.#users.get(login);
  }

  async listUsers(page: PageRequest): Promise<Page<UserRecord>> {
    const limit = pageSize(page);
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 'users', ['string']);
    const rows = await this.#db().query<{ doc: UserRecord }>(
      `SELECT user_json(u) AS doc FROM users u ${after ? 'WHERE u.login > $2' : ''} ORDER BY u.login LIMIT $1`,
      after ? [limit + 1, ...after] : [limit + 1],
    );
    return toPage(
      rows.map((row) => row.doc),
      limit,
      (user) => encodeCursor('users', [user.login]),
    );
  }

  async deleteUser(login: string, audit?: AuditRecord): Promise<boolean> {
    return this.#transaction(async (tx) => {
      await moderation.guardLastAdmin(tx, login);
      // FOR UPDATE conflicts with the KEY SHARE lock that writing a post,
      // comment or vote of this login takes on the account (by foreign key,
      // or first thing, see lockAccount). Writes already in flight are waited
      // for, and removed below; later ones wait for this transaction and then
      // fail as `account-gone`. So nothing of the login can outlive it.
      const [user] = await tx.query('SELECT 1 FROM users WHERE login = $1 FOR UPDATE', [login]);
      if (!user) return false;
      // Lock every post whose counters change, in id order like every other
      // multi-post writer, before touching votes or comments.
      await tx.query(
        `SELECT 1 FROM posts WHERE author = $1
            OR id IN (SELECT post_id FROM votes WHERE login = $1)
            OR id IN (SELECT post_id FROM comments WHERE author = $1)
          ORDER BY id FOR UPDATE`,
        [login],
      );
      const touched = await tx.query<{ post_id: string }>(
        `WITH v AS (DELETE FROM votes WHERE login = $1 RETURNING post_id),
              c AS (DELETE FROM comments WHERE author = $1 RETURNING post_id)
         SELECT post_id FROM v UNION SELECT post_id FROM c`,
        [login],
      );
      await handOverPagePosts(tx, login);
      await tx.query('DELETE FROM posts WHERE author = $1', [login]);
      await recount(
        tx,
        touched.map((row) => row.post_id),
      );
      // A later account with this login must not inherit these keys.
      await tx.query('DELETE FROM idempotency_keys WHERE owner = $1', [login]);
      // Its posts, comments and votes are gone already (with counters
      // adjusted), so the foreign keys' ON DELETE CASCADE finds nothing.
      await tx.query('DELETE FROM users WHERE login = $1', [login]);
      if (audit) await moderation.writeLog(tx, audit);
      return true;
    });
  }

  async setPassword(login: string, passwordHash: string): Promise<UserRecord | null> {
    const [row] = await this.#db().query<{ doc: UserRecord }>(
      `UPDATE users AS u SET password_hash = $2, session_version = session_version + 1 WHERE login = $1 RETURNING user_json(u) AS doc`,
      [login, passwordHash],
    );
    return row?.doc ?? null;
  }

  async endSessions(login: string): Promise<UserRecord | null> {
    const [row] = await this.#db().query<{ doc: UserRecord }>(
      'UPDATE users AS u SET session_version = session_version + 1 WHERE login = $1 RETURNING user_json(u) AS doc',
      [login],
    );
    return row?.doc ?? null;
  }

  // Revoked tokens

  async revokeToken(token: RevokedToken): Promise<void> {
    if (!UUID.test(token.jti) || !UUID.test(token.accountId)) throw new StoreError('invalid', 'A token id and an account id are UUIDs');
    if (!ISO_MS.test(token.expiresAt) && Number.isNaN(Date.parse(token.expiresAt))) throw new StoreError('invalid', 'Invalid expiry');
    await this.#db().query(
      `INSERT INTO revoked_tokens (jti, account_id, expires_at) SELECT $1, id, $3 FROM users WHERE id = $2
       ON CONFLICT (jti) DO NOTHING`,
      [token.jti, token.accountId, token.expiresAt],
    );
  }

  async listRevokedTokens(): Promise<RevokedToken[]> {
    return this.#db().query<RevokedToken>(
      `SELECT jti::text AS "jti", account_id::text AS "accountId", iso_time(expires_at) AS "expiresAt"
         FROM revoked_tokens WHERE expires_at > now()`,
    );
  }

  // Posts

  async createPost(post: NewPostRecord, idempotency?: IdempotencyKey): Promise<Created<StoredPost>> {
    return this.#create(idempotency, fetchPost, async (tx, id) => {
      const createdAt = new Date().toISOString();
      const rows = await tx.query<{ doc: StoredPost }>(
        `INSERT INTO posts AS p (id, title, url, text, author, created_at, hot) VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING post_json(p) AS doc`,
        [id, post.title, post.url, post.text, post.author, createdAt, hotRank({ upvotes: 0, downvotes: 0, createdAt })],
      );
      return onlyRow(rows).doc;
    });
  }

  async getPost(id: string): Promise<StoredPost | null> {
    return UUID.test(id) ? fetchPost(this.#db(), id) : null;
  }

  async listPosts(sort: PostSort, page: PageRequest, options: { includeHidden?: boolean } = {}): Promise<Page<StoredPost>> {
    if (!Object.hasOwn(POST_ORDERS, sort)) throw new StoreError('invalid', `Unknown sort ${String(sort)}`);
    const order = POST_ORDERS[sort];
    const limit = pageSize(page);
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, sort, order.kinds, order.valid);
    const params = [...(after ?? []), limit + 1];
    const where = [...(after ? [order.after] : []), ...(options.includeHidden ? [] : ['NOT p.hidden'])];
    const rows = await this.#db().query<{ doc: StoredPost; hot: number }>(
      `SELECT post_json(p) AS doc, p.hot FROM posts p ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${order.order} LIMIT $${params.length}`,
      params,
    );
    const { items, nextCursor } = toPage(rows, limit, (row) => encodeCursor(sort, order.keys(row)));
    return { items: items.map((row) => row.doc), nextCursor };
  }

  async listPostDates(limit: number): Promise<PostDates[]> {
    const rows = await this.#db().query<PostDates & { editedAt: string | null }>(
      `SELECT p.id::text AS id, iso_time(p.created_at) AS "createdAt", iso_time(p.edited_at) AS "editedAt"
        FROM posts p WHERE NOT p.hidden ORDER BY p.created_at DESC, p.id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(({ editedAt, ...dates }) => (editedAt === null ? dates : { ...dates, editedAt }));
  }

  async deletePost(id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    // Comments and votes go by ON DELETE CASCADE; their triggers feed the change log.
    return (await this.#db().query('DELETE FROM posts WHERE id = $1 RETURNING 1', [id])).length > 0;
  }

  // Votes

  async setVote(postId: string, login: string, vote: Vote): Promise<StoredPost | null> {
    if (!UUID.test(postId)) return null;
    return this.#votes.cast(postId, login, vote);
  }

  async getVotes(login: string, postIds: string[]): Promise<Map<string, Vote>> {
    const ids = postIds.filter((id) => UUID.test(id));
    if (ids.length === 0) return new Map();
    const rows = await this.#db().query<{ post_id: string; value: Vote }>(
      'SELECT post_id::text AS post_id, value FROM votes WHERE login = $1 AND post_id = ANY($2::uuid[])',
      [login, ids],
    );
    return new Map(rows.map((row) => [row.post_id, row.value]));
  }

  // Comments

  async createComment(comment: NewCommentRecord, idempotency?: IdempotencyKey): Promise<CreatedComment> {
    const { postId, parentId } = comment;
    if (!UUID.test(postId)) throw new StoreError('not-found', `No post ${postId}`);
    if (parentId !== null && !UUID.test(parentId)) throw new StoreError('not-found', `No comment ${parentId} on post ${postId}`);
    return await this.#createComment(idempotency, async () => comment);
  }

  createPageComment(page: NewPagePostRecord, text: string, idempotency?: IdempotencyKey): Promise<CreatedComment> {
    return this.#createComment(idempotency, async (tx) => {
      const post = await ensurePagePost(tx, page);
      return { postId: post.id, parentId: null, text, author: page.author };
    });
  }

  /** Inserts the comment `prepare` gives (in the transaction, once the idempotency key is settled) and notifies. */
  async #createComment(
    idempotency: IdempotencyKey | undefined,
    prepare: (tx: SqlExecutor) => Promise<NewCommentRecord>,
  ): Promise<CreatedComment> {
    let notification: NotificationRecord | null = null;
    const created = await this.#create(idempotency, fetchComment, async (tx, id) => {
      notification = null;
      const comment = await prepare(tx);
      const { postId, parentId } = comment;
      await lockAccount(tx, comment.author);
      // Locking the post first (as deleteComment does) also keeps the parent from vanishing meanwhile.
      const [post] = await tx.query<{ locked: boolean; hidden: boolean }>('SELECT locked, hidden FROM posts WHERE id = $1 FOR UPDATE', [
        postId,
      ]);
      // A hidden post takes no comments, from moderators either (they restore it first): to readers it is not there.
      if (!post || post.hidden) throw new StoreError('not-found', `No post ${postId}`);
      if (post.locked) throw new StoreError('thread-locked', `The thread of post ${postId} is locked`);
      if (parentId !== null) {
        const parents = await tx.query('SELECT 1 FROM comments WHERE id = $1 AND post_id = $2', [parentId, postId]);
        if (parents.length === 0) throw new StoreError('not-found', `No comment ${parentId} on post ${postId}`);
      }
      const rows = await tx.query<{ doc: StoredComment }>(
        `INSERT INTO comments AS c (id, post_id, parent_id, author, text, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING comment_json(c) AS doc`,
        [id, postId, parentId, comment.author, comment.text, new Date().toISOString()],
      );
      await tx.query('UPDATE posts SET comment_count = comment_count + 1, version = version + 1 WHERE id = $1', [postId]);
      const doc = onlyRow(rows).doc;
      notification = await notifyReply(tx, doc);
      return doc;
    });
    return { ...created, notification: created.replayed ? null : notification };
  }

  async getComment(postId: string, id: string): Promise<StoredComment | null> {
    if (!UUID.test(postId) || !UUID.test(id)) return null;
    const comment = await fetchComment(this.#db(), id);
    return comment?.postId === postId.toLowerCase() ? comment : null;
  }

  async listComments(postId: string, page: PageRequest): Promise<Page<StoredComment>> {
    const limit = pageSize(page);
    const after =
      page.cursor === undefined
        ? undefined
        : decodeCursor(page.cursor, 'comments', ['string', 'string'], ([at, id]) => ISO_MS.test(String(at)) && UUID.test(String(id)));
    if (!UUID.test(postId)) return { items: [], nextCursor: null };
    const rows = await this.#db().query<{ doc: StoredComment }>(
      `SELECT comment_json(c) AS doc FROM comments c
        WHERE c.post_id = $1 ${after ? 'AND (c.created_at, c.id) > ($3::timestamptz, $4::uuid)' : ''}
        ORDER BY c.created_at, c.id LIMIT $2`,
      [postId, limit + 1, ...(after ?? [])],
    );
    return toPage(
      rows.map((row) => row.doc),
      limit,
      (c) => encodeCursor('comments', [c.createdAt, c.id]),
    );
  }

  async deleteComment(postId: string, id: string): Promise<boolean> {
    if (!UUID.test(postId) || !UUID.test(id)) return false;
    return this.#transaction(async (tx) => {
      const posts = await tx.query('SELECT 1 FROM posts WHERE id = $1 FOR UPDATE', [postId]);
      if (posts.length === 0) return false;
      // Replies go by ON DELETE CASCADE; the recount covers them.
      const deleted = await tx.query('DELETE FROM comments WHERE id = $1 AND post_id = $2 RETURNING 1', [id, postId]);
      if (deleted.length === 0) return false;
      await recount(tx, [postId]);
      return true;
    });
  }

  // Notifications

  listNotifications(recipient: string, page: NotificationPageRequest): Promise<Page<NotificationRecord> & { unread: number }> {
    return listNotifications(this.#db(), recipient, page);
  }

  markNotificationsRead(recipient: string, which: NotificationSelection): Promise<{ marked: number; unread: number }> {
    return markNotificationsRead(this.#db(), recipient, which);
  }

  // Moderation

  editPost(id: string, edit: PostEditRecord, guard: EditGuard, audit?: AuditRecord): Promise<StoredPost> {
    return this.#transaction(async (tx) => {
      const post = await moderation.editPost(tx, id, edit, guard);
      if (audit) await moderation.writeLog(tx, audit);
      return post;
    });
  }

  editComment(postId: string, id: string, text: string, guard: EditGuard, audit?: AuditRecord): Promise<StoredComment> {
    return this.#transaction(async (tx) => {
      const comment = await moderation.editComment(tx, postId, id, text, guard);
      if (audit) await moderation.writeLog(tx, audit);
      return comment;
    });
  }

  flag(target: ModerationTarget, login: string, reason: string, threshold: number): Promise<number | undefined> {
    return this.#transaction((tx) => moderation.flag(tx, target, login, reason, threshold));
  }

  setHidden(target: ModerationTarget, hidden: boolean, audit: AuditRecord): Promise<StoredPost | StoredComment> {
    return this.#transaction((tx) => moderation.setHidden(tx, target, hidden, audit));
  }

  setLocked(postId: string, locked: boolean, audit: AuditRecord): Promise<StoredPost> {
    return this.#transaction((tx) => moderation.setLocked(tx, postId, locked, audit));
  }

  setBan(login: string, ban: BanRecord | null, audit: AuditRecord, hideContent?: boolean): Promise<UserRecord> {
    return this.#transaction((tx) => moderation.setBan(tx, login, ban, audit, hideContent));
  }

  setScopes(login: string, scopes: Scope[], audit: AuditRecord): Promise<UserRecord> {
    return this.#transaction((tx) => moderation.setScopes(tx, login, scopes, audit));
  }

  listModerationQueue(page: PageRequest): Promise<Page<QueueRecord>> {
    return moderation.listModerationQueue(this.#db(), page);
  }

  listModerationLog(page: PageRequest): Promise<Page<AuditEntry>> {
    return moderation.listModerationLog(this.#db(), page);
  }

  // Change feed

  changes<K extends Table>(table: K, options: { signal?: AbortSignal } = {}): AsyncIterable<FeedItem<K>> {
    return this.#feed.subscribe(table, options.signal);
  }

  // Backups

  exportRows(sink: BackupSink): Promise<void> {
    return exportSnapshot(this.#db(), sink);
  }

  importRows(records: AsyncIterable<BackupRecord>): Promise<RowCounts> {
    return importBackup(this.#db(), records);
  }

  // pages

  getPagePost(pageUrl: string): Promise<StoredPost | null> {
    return getPagePost(this.#db(), pageUrl);
  }

  ensurePagePost(page: NewPagePostRecord): Promise<StoredPost> {
    return ensurePagePost(this.#db(), page);
  }

  // Internals

  #db(): SqlDriver {
    if (this.#closing) throw new StoreError('unavailable', 'The store is closed');
    return this.#driver;
  }

  async #transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db().transaction(fn);
      } catch (error) {
        if (attempt >= RETRY_ATTEMPTS || !RETRYABLE_STATES.has(sqlState(error) ?? '')) throw conflictLeft(error);
      }
    }
  }

  /**
   * Runs `insert` with a fresh id, or, when the idempotency key was used
   * before, returns what that first request created. Claiming the key is
   * the transaction's first write, so a concurrent request with the same key
   * waits on it and then replays.
   */
  async #create<T>(
    idempotency: IdempotencyKey | undefined,
    fetch: (db: SqlExecutor, id: string) => Promise<T | null>,
    insert: (tx: SqlExecutor, id: string) => Promise<T>,
  ): Promise<Created<T>> {
    return this.#transaction(async (tx) => {
      const id = randomUUID();
      if (idempotency) {
        const prior = await claim(tx, idempotency, id);
        if (prior) {
          if (prior.request_hash !== idempotency.requestHash) throw new StoreError('idempotency-mismatch');
          const value = await fetch(tx, prior.resource_id);
          if (value === null) throw new StoreError('not-found', 'What this Idempotency-Key created has been deleted');
          return { value, replayed: true };
        }
      }
      return { value: await insert(tx, id), replayed: false };
    });
  }
}

/**
 * Records that `key` creates `id`; returns the earlier record when the key
 * was claimed before. Claim and read are separate statements: in READ
 * COMMITTED the read then sees the row of a concurrent claimer whose commit
 * the insert waited for.
 */
async function claim(
  tx: SqlExecutor,
  { owner, key, requestHash }: IdempotencyKey,
  id: string,
): Promise<{ request_hash: string; resource_id: string } | undefined> {
  for (;;) {
    const claimed = await tx.query(
      `INSERT INTO idempotency_keys (owner, key, request_hash, resource_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (owner, key) DO NOTHING RETURNING 1`,
      [owner, key, requestHash, id],
    );
    if (claimed.length > 0) return undefined;
    const [prior] = await tx.query<{ request_hash: string; resource_id: string }>(
      'SELECT request_hash, resource_id::text AS resource_id FROM idempotency_keys WHERE owner = $1 AND key = $2',
      [owner, key],
    );
    // Absent only if pruned in between: claim again.
    if (prior) return prior;
  }
}

/** The row of a statement that returns exactly one: an INSERT … RETURNING, an UPDATE … RETURNING of a locked row. */
function onlyRow<R>(rows: R[]): R {
  const [row] = rows;
  if (row === undefined) throw new Error('A statement that returns one row returned none');
  return row;
}

async function fetchPost(db: SqlExecutor, id: string): Promise<StoredPost | null> {
  const [row] = await db.query<{ doc: StoredPost }>('SELECT post_json(p) AS doc FROM posts p WHERE id = $1', [id]);
  return row?.doc ?? null;
}

async function fetchComment(db: SqlExecutor, id: string): Promise<StoredComment | null> {
  const [row] = await db.query<{ doc: StoredComment }>('SELECT comment_json(c) AS doc FROM comments c WHERE id = $1', [id]);
  return row?.doc ?? null;
}
