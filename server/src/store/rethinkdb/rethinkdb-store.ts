import type { PostSort, Scope } from '@news-forum/protocol';
import { NOTIFICATIONS_MAX_AGE_MS } from '../notifications.js';
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
import { accountGone, StoreError } from '../store-error.js';
import { deleteUser } from './accounts.js';
import { exportRows, importRows } from './backup.js';
import { TableFeed } from './change-feeds.js';
import { deleteComment, getComment, getCommentById, insertComment, listComments } from './comments.js';
import { RethinkdbConnection, refuseUnstorable } from './connection.js';
import { createOnce, pruneKeys } from './idempotency.js';
import * as moderation from './moderation.js';
import { listNotifications, markNotificationsRead, notifyReply, pruneNotifications } from './notifications.js';
import { ensurePagePost, getPagePost } from './pages.js';
import { deletePost, getPost, insertPost, listPostDates, listPosts, removePosts } from './posts.js';
import { type RecountOptions, recount, repairCounters } from './recount.js';
import { startRepairs } from './repairs.js';
import { r } from './reql.js';
import { DEFAULT_LAYOUT, ensureSchema, type TableLayout } from './schema.js';
import { endSessions, listRevokedTokens, pruneRevoked, revokeToken, setPassword } from './sessions.js';
import { type Context, context } from './tables.js';
import type { RethinkdbTarget } from './url.js';
import { createUser, getUser, listUsers, userExists } from './users.js';
import { getVotes, setVote } from './votes.js';

export interface RethinkdbStoreOptions {
  layout?: TableLayout;
  /** Idempotency keys younger than this are honoured (default one day). */
  idempotencyKeysMs?: number;
  /** A query unanswered this long fails as unavailable and the next host is tried (default 10 s). */
  queryTimeoutMs?: number;
  /** How often every post is recounted in the background (default five minutes; 0: never). */
  recountIntervalMs?: number;
}

const PRUNE_INTERVAL_MS = 60_000;
const PING_TIMEOUT_S = 2;
const DEFAULT_KEYS_MS = 24 * 60 * 60_000;
const DEFAULT_RECOUNT_INTERVAL_MS = 5 * 60_000;
const REPAIR_RETRY_MS = 2_000;

/**
 * The Store on RethinkDB with the official driver. RethinkDB has no
 * multi-document transactions: each write is a sequence of atomic
 * single-document changes, ordered so that a race with a deletion ends as
 * it would with transactions (see votes.ts, comments.ts, accounts.ts), and
 * counters move by atomic deltas that the recount repairs after a crash.
 */
export class RethinkdbStore implements Store {
  readonly kind = 'rethinkdb' as const;
  /**
   * The posts table's id: RethinkDB gives a table a new one when it is created, so a database made anew or
   * restored (into empty tables) names another epoch, and the same one across restarts. Its changefeeds keep
   * no log, so a database that lost writes under the same tables (a server's data directory copied back) is
   * not told apart.
   */
  readonly epoch: string;
  readonly #ctx: Context;
  readonly #feeds: Record<Table, TableFeed>;
  readonly #timer: NodeJS.Timeout;
  readonly #stopRepairs: () => Promise<void>;
  #closing: Promise<void> | undefined;
  #startupRecount: Promise<unknown> = Promise.resolve();

  private constructor(ctx: Context, epoch: string, feeds: Record<Table, TableFeed>, keysMs: number, stopRepairs: () => Promise<void>) {
    this.#ctx = ctx;
    this.epoch = epoch;
    this.#feeds = feeds;
    this.#stopRepairs = stopRepairs;
    this.#timer = setInterval(() => {
      pruneKeys(this.#ctx, keysMs).catch(() => undefined);
      pruneRevoked(this.#ctx).catch(() => undefined);
      pruneNotifications(this.#ctx, NOTIFICATIONS_MAX_AGE_MS).catch(() => undefined);
    }, PRUNE_INTERVAL_MS).unref();
  }

  /**
   * Connects, creates what is missing of the schema, opens the change feeds
   * and starts a recount of every post in the background, then the
   * background repairs (repairs.ts).
   */
  static async open(target: RethinkdbTarget, options: RethinkdbStoreOptions = {}): Promise<RethinkdbStore> {
    const db = new RethinkdbConnection(target, options.queryTimeoutMs);
    try {
      await ensureSchema(db, options.layout ?? DEFAULT_LAYOUT);
      const ctx = context(db);
      const epoch = await db.run<string>(ctx.table('posts').info()('id'));
      const feeds = { posts: new TableFeed(ctx, 'posts'), comments: new TableFeed(ctx, 'comments') };
      await Promise.all([feeds.posts.open(), feeds.comments.open()]);
      const stopRepairs = startRepairs(ctx, {
        sweepMs: options.recountIntervalMs ?? DEFAULT_RECOUNT_INTERVAL_MS,
        retryMs: REPAIR_RETRY_MS,
        settleMs: db.queryTimeoutMs + 1_000,
      });
      const store = new RethinkdbStore(ctx, epoch, feeds, options.idempotencyKeysMs ?? DEFAULT_KEYS_MS, stopRepairs);
      // What changed while it was being confirmed is left to the background repairs.
      store.#startupRecount = repairCounters(ctx).then(
        ({ unsettled }) => {
          for (const id of unsettled) ctx.suspects.add(id);
        },
        () => undefined,
      );
      return store;
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  async ping(): Promise<void> {
    // Ready means every table takes writes (a majority of its replicas up), not merely reads: after the
    // servers come back, reads return well before writes are accepted again.
    const { db } = this.#context();
    // A feed being reopened may miss changes: the node is not ready until it runs again.
    for (const feed of Object.values(this.#feeds)) {
      if (!feed.running) throw new StoreError('unavailable', `The ${feed.table} change feed is being reopened`);
    }
    await db.run(r.db(db.target.db).wait({ waitFor: 'ready_for_writes', timeout: PING_TIMEOUT_S }));
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      await this.#stopRepairs();
      await Promise.all([this.#feeds.posts.close(), this.#feeds.comments.close()]);
      await this.#startupRecount;
      await this.#ctx.db.close();
    })();
    return this.#closing;
  }

  /**
   * Recomputes counters and ranks from the votes and comments (of the given
   * posts, or of all); returns how many posts it repaired. Runs at start-up;
   * call it after a crash of a node or of the cluster.
   */
  recount(postIds?: string[], options?: RecountOptions): Promise<number> {
    return recount(this.#context(), postIds, options);
  }

  createUser(user: NewUserRecord): Promise<UserRecord> {
    return createUser(this.#context(), user);
  }

  getUser(login: string): Promise<UserRecord | null> {
    return getUser(this.#context(), login);
  }

  listUsers(page: PageRequest): Promise<Page<UserRecord>> {
    return listUsers(this.#context(), page);
  }

  async deleteUser(login: string, audit?: AuditRecord): Promise<boolean> {
    const ctx = this.#context();
    await moderation.releaseAdmin(ctx, login);
    const deleted = await deleteUser(ctx, login);
    if (deleted && audit) await moderation.writeLog(ctx, audit);
    return deleted;
  }

  setPassword(login: string, passwordHash: string): Promise<UserRecord | null> {
    return setPassword(this.#context(), login, passwordHash);
  }

  endSessions(login: string): Promise<UserRecord | null> {
    return endSessions(this.#context(), login);
  }

  revokeToken(token: RevokedToken): Promise<void> {
    return revokeToken(this.#context(), token);
  }

  listRevokedTokens(): Promise<RevokedToken[]> {
    return listRevokedTokens(this.#context());
  }

  exportRows(sink: BackupSink): Promise<void> {
    return exportRows(this.#context(), sink);
  }

  importRows(records: AsyncIterable<BackupRecord>): Promise<RowCounts> {
    return importRows(this.#context(), records);
  }

  createPost(post: NewPostRecord, idempotency?: IdempotencyKey): Promise<Created<StoredPost>> {
    const ctx = this.#context();
    return createOnce(
      ctx,
      idempotency,
      (id) => getPost(ctx, id),
      async (id) => {
        if (!(await userExists(ctx, post.author))) throw accountGone();
        const created = await insertPost(ctx, id, post);
        // The account's deletion may have swept its posts before this one existed.
        if (!(await userExists(ctx, post.author))) {
          await removePosts(ctx, ctx.table('posts').get(id));
          throw accountGone();
        }
        return created;
      },
    );
  }

  getPost(id: string): Promise<StoredPost | null> {
    return getPost(this.#context(), id);
  }

  listPosts(sort: PostSort, page: PageRequest, options: { includeHidden?: boolean } = {}): Promise<Page<StoredPost>> {
    return listPosts(this.#context(), sort, page, options.includeHidden);
  }

  listPostDates(limit: number): Promise<PostDates[]> {
    return listPostDates(this.#context(), limit);
  }

  deletePost(id: string): Promise<boolean> {
    return deletePost(this.#context(), id);
  }

  setVote(postId: string, login: string, vote: Vote): Promise<StoredPost | null> {
    return setVote(this.#context(), postId, login, vote);
  }

  getVotes(login: string, postIds: string[]): Promise<Map<string, Vote>> {
    return getVotes(this.#context(), login, postIds);
  }

  createComment(comment: NewCommentRecord, idempotency?: IdempotencyKey): Promise<CreatedComment> {
    return this.#createComment(idempotency, async () => comment);
  }

  // RethinkDB has no transactions: the page's post is created once the key is settled and the comment found storable;
  // it stays if the insert then fails (the cluster lost, the page's post deleted meanwhile).
  createPageComment(page: NewPagePostRecord, text: string, idempotency?: IdempotencyKey): Promise<CreatedComment> {
    return this.#createComment(idempotency, async (ctx) => {
      refuseUnstorable([page, text]);
      const post = await ensurePagePost(ctx, page);
      return { postId: post.id, parentId: null, text, author: page.author };
    });
  }

  async #createComment(
    idempotency: IdempotencyKey | undefined,
    prepare: (ctx: Context) => Promise<NewCommentRecord>,
  ): Promise<CreatedComment> {
    const ctx = this.#context();
    let notification: NotificationRecord | null = null;
    const created = await createOnce(
      ctx,
      idempotency,
      (id) => getCommentById(ctx, id),
      async (id) => {
        const doc = await insertComment(ctx, id, await prepare(ctx));
        notification = await notifyReply(ctx, doc);
        return doc;
      },
    );
    return { ...created, notification: created.replayed ? null : notification };
  }

  getComment(postId: string, id: string): Promise<StoredComment | null> {
    return getComment(this.#context(), postId, id);
  }

  listComments(postId: string, page: PageRequest): Promise<Page<StoredComment>> {
    return listComments(this.#context(), postId, page);
  }

  deleteComment(postId: string, id: string): Promise<boolean> {
    return deleteComment(this.#context(), postId, id);
  }

  // notifications

  listNotifications(recipient: string, page: NotificationPageRequest): Promise<Page<NotificationRecord> & { unread: number }> {
    return listNotifications(this.#context(), recipient, page);
  }

  markNotificationsRead(recipient: string, which: NotificationSelection): Promise<{ marked: number; unread: number }> {
    return markNotificationsRead(this.#context(), recipient, which);
  }

  // moderation

  async editPost(id: string, edit: PostEditRecord, guard: EditGuard, audit?: AuditRecord): Promise<StoredPost> {
    const ctx = this.#context();
    const post = await moderation.editPost(ctx, id, edit, guard);
    if (audit) await moderation.writeLog(ctx, audit);
    return post;
  }

  async editComment(postId: string, id: string, text: string, guard: EditGuard, audit?: AuditRecord): Promise<StoredComment> {
    const ctx = this.#context();
    const comment = await moderation.editComment(ctx, postId, id, text, guard);
    if (audit) await moderation.writeLog(ctx, audit);
    return comment;
  }

  flag(target: ModerationTarget, login: string, reason: string, threshold: number): Promise<number | undefined> {
    return moderation.flag(this.#context(), target, login, reason, threshold);
  }

  setHidden(target: ModerationTarget, hidden: boolean, audit: AuditRecord): Promise<StoredPost | StoredComment> {
    return moderation.setHidden(this.#context(), target, hidden, audit);
  }

  setLocked(postId: string, locked: boolean, audit: AuditRecord): Promise<StoredPost> {
    return moderation.setLocked(this.#context(), postId, locked, audit);
  }

  setBan(login: string, ban: BanRecord | null, audit: AuditRecord, hideContent?: boolean): Promise<UserRecord> {
    return moderation.setBan(this.#context(), login, ban, audit, hideContent);
  }

  setScopes(login: string, scopes: Scope[], audit: AuditRecord): Promise<UserRecord> {
    return moderation.setScopes(this.#context(), login, scopes, audit);
  }

  listModerationQueue(page: PageRequest): Promise<Page<QueueRecord>> {
    return moderation.listModerationQueue(this.#context(), page);
  }

  listModerationLog(page: PageRequest): Promise<Page<AuditEntry>> {
    return moderation.listModerationLog(this.#context(), page);
  }

  changes<K extends Table>(table: K, options: { signal?: AbortSignal } = {}): AsyncIterable<FeedItem<K>> {
    return this.#feeds[table].subscribe(options.signal) as AsyncIterable<FeedItem<K>>;
  }

  // pages

  getPagePost(pageUrl: string): Promise<StoredPost | null> {
    return getPagePost(this.#context(), pageUrl);
  }

  ensurePagePost(page: NewPagePostRecord): Promise<StoredPost> {
    return ensurePagePost(this.#context(), page);
  }

  #context(): Context {
    if (this.#closing) throw new StoreError('unavailable', 'The store is closed');
    return this.#ctx;
  }
}
