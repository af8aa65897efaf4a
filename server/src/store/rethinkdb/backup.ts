import type {
  AuditEntry,
  BackupRecord,
  BackupSink,
  BackupTable,
  FlagRecord,
  IdempotencyRecord,
  NotificationRecord,
  RevokedToken,
  RowCounts,
  StoredComment,
  StoredPost,
  UserRecord,
  VoteRecord,
} from '../store.js';
import { StoreError } from '../store-error.js';
import { LONG_QUERY_MS } from './connection.js';
import { type CommentDoc, type IdempotencyDoc, type PostDoc, rankOf, toPost, type UserDoc, type VoteDoc, voteId } from './documents.js';
import { keyId } from './idempotency.js';
import { type FlagDoc, flagId } from './moderation.js';
import { claimsOf } from './pages.js';
import { recount } from './recount.js';
import { HARD, type WriteResult } from './reql.js';
import { TABLES, type TableName } from './schema.js';
import type { Context } from './tables.js';
import { toUser } from './users.js';

const BATCH = 500;

const all = <T>(ctx: Context, table: TableName) => ctx.db.run<T[]>(ctx.table(table).coerceTo('array'), undefined, LONG_QUERY_MS);
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Comments with every reply after its parent: level by level, each level by time then id. */
function threadOrder(comments: StoredComment[]): StoredComment[] {
  const ordered: StoredComment[] = [];
  const placed = new Set<string>();
  let level = comments.filter((c) => c.parentId === null);
  let rest = comments.filter((c) => c.parentId !== null);
  while (level.length) {
    level.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : byId(a, b)));
    for (const comment of level) placed.add(comment.id);
    ordered.push(...level);
    level = rest.filter((c) => placed.has(c.parentId as string));
    rest = rest.filter((c) => !placed.has(c.parentId as string));
  }
  return ordered;
}

/**
 * RethinkDB has no snapshot across tables, so the rows are read whole
 * (votes and comments first, then posts, then accounts) and made to agree
 * before anything is written: rows whose post, parent or account was gone by
 * the later reads are left out, and each post's counters are those of the
 * votes and comments exported with it. The file is then what a snapshot
 * would have held, give or take writes that raced the reads.
 */
export async function exportRows(ctx: Context, sink: BackupSink): Promise<void> {
  const votes = await all<VoteDoc>(ctx, 'votes');
  const comments = await all<CommentDoc>(ctx, 'comments');
  const posts = await all<PostDoc>(ctx, 'posts');
  const users = (await all<UserDoc>(ctx, 'users')).map(toUser).sort((a, b) => (a.login < b.login ? -1 : 1));
  const keys = await all<IdempotencyDoc>(ctx, 'idempotency_keys');
  const notifications = await all<NotificationRecord>(ctx, 'notifications');
  const flags = await all<FlagDoc>(ctx, 'flags');
  const log = await all<AuditEntry>(ctx, 'moderation_log');
  const revoked = await all<RevokedToken>(ctx, 'revoked_tokens');
  const logins = new Set(users.map((u) => u.login));
  const accountIds = new Set(users.map((u) => u.id));
  const now = new Date().toISOString();
  const kept = posts.filter((p) => logins.has(p.author)).sort(byId);
  const postIds = new Set(kept.map((p) => p.id));
  const thread = threadOrder(comments.filter((c) => postIds.has(c.postId) && logins.has(c.author)));
  const commentIds = new Set(thread.map((c) => c.id));
  const ballots = votes.filter((v) => postIds.has(v.postId) && logins.has(v.login)).sort(byId);
  const counts = new Map<string, { upvotes: number; downvotes: number; commentCount: number }>();
  const countsOf = (postId: string) => {
    const entry = counts.get(postId) ?? { upvotes: 0, downvotes: 0, commentCount: 0 };
    counts.set(postId, entry);
    return entry;
  };
  for (const v of ballots) countsOf(v.postId)[v.value === 1 ? 'upvotes' : 'downvotes'] += 1;
  for (const c of thread) countsOf(c.postId).commentCount += 1;
  const records: BackupRecord[] = [
    ...users.map((row): BackupRecord => ({ table: 'users', row })),
    ...kept.map((doc): BackupRecord => {
      const c = countsOf(doc.id);
      return { table: 'posts', row: { ...toPost(doc), ...c, score: c.upvotes - c.downvotes } };
    }),
    ...thread.map((row): BackupRecord => ({ table: 'comments', row })),
    ...ballots.map(({ postId, login, value }): BackupRecord => ({ table: 'votes', row: { postId, login, value } })),
    ...keys
      .filter((k): k is IdempotencyDoc & { key: string } => k.done && k.key !== undefined && logins.has(k.owner))
      .sort(byId)
      .map(
        ({ owner, key, requestHash, resourceId, createdAt }): BackupRecord => ({
          table: 'idempotencyKeys',
          row: { owner, key, requestHash, resourceId, createdAt },
        }),
      ),
    ...notifications
      .filter((n) => logins.has(n.recipient) && commentIds.has(n.commentId))
      .sort(byId)
      .map((row): BackupRecord => ({ table: 'notifications', row })),
    ...flags
      .filter((f) => logins.has(f.login) && (f.kind === 'post' ? postIds : commentIds).has(f.targetId))
      .sort(byId)
      .map(({ id: _, ...row }): BackupRecord => ({ table: 'flags', row })),
    ...log.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : byId(a, b))).map((row): BackupRecord => ({ table: 'moderationLog', row })),
    // An expired token is refused for its expiry anyway, and pruning forgets it.
    ...revoked
      .filter((t) => t.expiresAt > now && accountIds.has(t.accountId))
      .sort((a, b) => (a.jti < b.jti ? -1 : a.jti > b.jti ? 1 : 0))
      .map(({ jti, accountId, expiresAt }): BackupRecord => ({ table: 'revokedTokens', row: { jti, accountId, expiresAt } })),
  ];
  // RethinkDB's change feeds have no position to resume from: the time the export began stands in for it.
  await sink.begin({ feedPosition: `rethinkdb:${Date.now()}` });
  for (let i = 0; i < records.length; i += BATCH) await sink.rows(records.slice(i, i + BATCH));
}

const TABLE_OF: Record<BackupTable, TableName> = {
  users: 'users',
  posts: 'posts',
  comments: 'comments',
  votes: 'votes',
  idempotencyKeys: 'idempotency_keys',
  notifications: 'notifications',
  flags: 'flags',
  moderationLog: 'moderation_log',
  revokedTokens: 'revoked_tokens',
};

/** Checks every row against those before it and turns it into the document stored. */
type Doc = Record<string, unknown>;

function toDocs(records: BackupRecord[]): Record<BackupTable, Doc[]> {
  const docs: Record<BackupTable, Doc[]> = {
    users: [],
    posts: [],
    comments: [],
    votes: [],
    idempotencyKeys: [],
    flags: [],
    moderationLog: [],
    notifications: [],
    revokedTokens: [],
  };
  const logins = new Set<string>();
  const accountIds = new Set<string>();
  const posts = new Set<string>();
  const comments = new Map<string, string>();
  // Worded as the SQL stores word it, so that an operator reads the same refusal on every store.
  const invalid = (table: BackupRecord['table'], why: string) => new StoreError('invalid', `The ${table} rows do not fit: ${why}`);
  for (const record of records) {
    if (record.table === 'users') {
      const user: UserRecord = record.row;
      logins.add(user.login);
      accountIds.add(user.id);
      docs.users.push({ ...user } satisfies UserDoc);
    } else if (record.table === 'posts') {
      const post: StoredPost = record.row;
      if (!logins.has(post.author)) throw invalid('posts', `post ${post.id} by no account`);
      posts.add(post.id);
      docs.posts.push({ ...post, hot: rankOf(post.score, post.createdAt), rankedScore: post.score } satisfies PostDoc);
    } else if (record.table === 'comments') {
      const comment: StoredComment = record.row;
      if (!posts.has(comment.postId) || !logins.has(comment.author))
        throw invalid('comments', `comment ${comment.id} on no post or by no account`);
      if (comment.parentId !== null && comments.get(comment.parentId) !== comment.postId)
        throw invalid('comments', `reply ${comment.id} before its parent`);
      comments.set(comment.id, comment.postId);
      docs.comments.push(comment);
    } else if (record.table === 'votes') {
      const vote: VoteRecord = record.row;
      if (!posts.has(vote.postId) || !logins.has(vote.login))
        throw invalid('votes', `${vote.login}'s vote on ${vote.postId} has no post or no account`);
      docs.votes.push({ id: voteId(vote.postId, vote.login), ...vote } satisfies VoteDoc);
    } else if (record.table === 'notifications') {
      const notification: NotificationRecord = record.row;
      if (!logins.has(notification.recipient) || comments.get(notification.commentId) !== notification.postId)
        throw invalid('notifications', `notification ${notification.id} of no account or on no comment`);
      docs.notifications.push({ ...notification });
    } else if (record.table === 'flags') {
      const flag: FlagRecord = record.row;
      const known = flag.kind === 'post' ? posts.has(flag.targetId) : comments.has(flag.targetId);
      if (!known || !logins.has(flag.login)) throw invalid('flags', 'a flag on nothing or by no account');
      docs.flags.push({ ...flag, id: flagId(flag) } satisfies FlagDoc);
    } else if (record.table === 'moderationLog') {
      docs.moderationLog.push({ ...record.row });
    } else if (record.table === 'revokedTokens') {
      const token: RevokedToken = record.row;
      const expiresAt = new Date(token.expiresAt);
      if (!accountIds.has(token.accountId) || Number.isNaN(expiresAt.getTime()))
        throw invalid('revokedTokens', `revoked token ${token.jti} of no account or without an expiry`);
      // As revokeToken() stores it, so that listRevokedTokens() and pruning compare like with like.
      docs.revokedTokens.push({ jti: token.jti.toLowerCase(), accountId: token.accountId, expiresAt: expiresAt.toISOString() });
    } else {
      const key: IdempotencyRecord = record.row;
      if (!logins.has(key.owner)) throw invalid('idempotencyKeys', 'an idempotency key of no account');
      docs.idempotencyKeys.push({ id: keyId(key), ...key, done: true } satisfies IdempotencyDoc);
    }
  }
  return docs;
}

/**
 * Reads the whole file and checks it before writing anything; without
 * transactions, a write that fails half-way is undone by deleting what was
 * inserted. Then recounts every post.
 */
export async function importRows(ctx: Context, source: AsyncIterable<BackupRecord>): Promise<RowCounts> {
  const tables = Object.entries(TABLE_OF) as [BackupTable, TableName][];
  const sizes = await Promise.all(tables.map(([, table]) => ctx.db.run<number>(ctx.table(table).count())));
  if (sizes.some((n) => n > 0)) throw new StoreError('conflict', 'The database is not empty: restore only into an empty one');
  const records: BackupRecord[] = [];
  for await (const record of source) records.push(record);
  const docs = toDocs(records);
  const written: [TableName, string[]][] = [];
  try {
    for (const [name, table] of tables) {
      const key = TABLES[table].primaryKey;
      for (let i = 0; i < docs[name].length; i += BATCH) {
        const batch = docs[name].slice(i, i + BATCH);
        const result = await ctx.db.run<WriteResult<unknown>>(
          ctx.table(table).insert(batch, { ...HARD, conflict: 'error' }),
          undefined,
          LONG_QUERY_MS,
        );
        written.push([table, batch.map((doc) => String(doc[key]))]);
        if (result.errors > 0) throw new StoreError('invalid', `The backup does not fit: ${result.first_error ?? 'a row was refused'}`);
      }
    }
    const claims = claimsOf(docs.posts as unknown as StoredPost[]);
    if (claims.length > 0) {
      const result = await ctx.db.run<WriteResult<unknown>>(ctx.table('page_claims').insert(claims, { ...HARD, conflict: 'error' }));
      written.push(['page_claims', claims.map((claim) => claim.id)]);
      if (result.errors > 0) throw new StoreError('invalid', `The backup does not fit: ${result.first_error ?? 'two posts of one page'}`);
    }
  } catch (error) {
    for (const [table, ids] of written.reverse())
      await ctx.db
        .run(
          ctx
            .table(table)
            .getAll(...ids)
            .delete(HARD),
        )
        .catch(() => undefined);
    throw error;
  }
  await recount(ctx);
  return Object.fromEntries(tables.map(([name]) => [name, docs[name].length])) as RowCounts;
}
