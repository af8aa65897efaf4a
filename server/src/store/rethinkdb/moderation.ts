import { randomUUID } from 'node:crypto';
import type { Scope } from '@news-forum/protocol';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { pageSize, toPage } from '../pages.js';
import type {
  AuditEntry,
  AuditRecord,
  BanRecord,
  EditGuard,
  FlagRecord,
  ModerationTarget,
  Page,
  PageRequest,
  PostEditRecord,
  QueueRecord,
  StoredComment,
  StoredPost,
  UserRecord,
} from '../store.js';
import { accountGone, missingTarget as missing, StoreError } from '../store-error.js';
import { getComment } from './comments.js';
import { type CommentDoc, type PostDoc, toPost, type UserDoc } from './documents.js';
import { isId, isInstant, storedId } from './ids.js';
import { reExcerpt } from './notifications.js';
import { HARD, r, type Term, type WriteResult } from './reql.js';
import type { Context } from './tables.js';
import { toUser, userExists } from './users.js';

/** A flag as stored: one document per reader and item, keyed so a second flag is refused atomically. */
export type FlagDoc = FlagRecord & { id: string };

export function flagId(flag: Pick<FlagRecord, 'kind' | 'targetId' | 'login'>): string {
  return `${flag.kind}/${flag.targetId}/${flag.login}`;
}

/** The document of the target (a comment only on its post), or null. */
async function targetDoc(ctx: Context, target: ModerationTarget): Promise<{ table: 'posts' | 'comments'; id: string } | null> {
  const postId = storedId(target.postId);
  if (postId === undefined) return null;
  if (target.kind === 'post') {
    const post = await ctx.db.run<PostDoc | null>(ctx.table('posts').get(postId));
    return post && { table: 'posts', id: postId };
  }
  const id = storedId(target.id);
  if (id === undefined) return null;
  return (await getComment(ctx, postId, id)) && { table: 'comments', id };
}

/** Appends to the moderation log. Without transactions it follows the action it records. */
export async function writeLog(ctx: Context, entry: AuditRecord): Promise<void> {
  const doc = { id: randomUUID(), at: new Date().toISOString(), ...entry };
  await ctx.db.run(ctx.table('moderation_log').insert(doc, HARD));
}

async function update<T>(ctx: Context, table: 'posts' | 'comments' | 'users', key: string, change: (row: Term) => Term): Promise<T | null> {
  const result = await ctx.db.run<WriteResult<T>>(
    ctx
      .table(table)
      .get(key)
      .update(change, { ...HARD, returnChanges: 'always' }),
  );
  return result.changes?.[0]?.new_val ?? null;
}

/** The edit, atomically conditional on the guard; `edit-window-closed` when the author is past it. */
async function edit<T>(ctx: Context, table: 'posts' | 'comments', key: string, members: object, guard: EditGuard): Promise<T> {
  if (!(await userExists(ctx, guard.editor))) throw accountGone();
  const cutoff = new Date(Date.now() - (guard.windowSeconds ?? 0) * 1000).toISOString();
  const editedAt = new Date().toISOString();
  const result = await ctx.db.run<WriteResult<T>>(
    ctx
      .table(table)
      .get(key)
      .update(
        (row: Term) =>
          r.branch(
            guard.windowSeconds === null ? true : row('author').eq(guard.editor).and(row('createdAt').gt(cutoff)),
            { ...members, editedAt, version: row('version').add(1) },
            {},
          ),
        { ...HARD, returnChanges: true },
      ),
  );
  const changed = result.changes?.[0]?.new_val;
  if (changed) return changed;
  if (result.skipped > 0) throw new StoreError('not-found', `No ${table === 'posts' ? 'post' : 'comment'} ${key}`);
  throw new StoreError('edit-window-closed', 'It can no longer be edited by its author');
}

export async function editPost(ctx: Context, id: string, members: PostEditRecord, guard: EditGuard): Promise<StoredPost> {
  const key = storedId(id);
  if (key === undefined) throw missing({ kind: 'post', postId: id });
  return toPost(await edit<PostDoc>(ctx, 'posts', key, members, guard));
}

export async function editComment(ctx: Context, postId: string, id: string, text: string, guard: EditGuard): Promise<StoredComment> {
  const target: ModerationTarget = { kind: 'comment', postId, id };
  const found = await targetDoc(ctx, target);
  if (!found) throw missing(target);
  const edited = await edit<CommentDoc>(ctx, 'comments', found.id, { text }, guard);
  await reExcerpt(ctx, found.id, text);
  return edited;
}

export async function flag(
  ctx: Context,
  target: ModerationTarget,
  login: string,
  reason: string,
  threshold: number,
): Promise<number | undefined> {
  const found = await targetDoc(ctx, target);
  if (!found) throw missing(target);
  if (!(await userExists(ctx, login))) throw accountGone();
  const doc: FlagDoc = { kind: target.kind, targetId: found.id, login, reason, createdAt: new Date().toISOString(), id: '' };
  doc.id = flagId(doc);
  const inserted = await ctx.db.run<WriteResult<FlagDoc>>(ctx.table('flags').insert(doc, { ...HARD, conflict: 'error' }));
  if (inserted.inserted !== 1) return undefined;
  // One atomic delta per flag, so concurrent flags all count.
  const counted = await update<{ version: number }>(ctx, found.table, found.id, (row) => {
    const count = row('flagCount').default(0).add(1);
    const changes = { flagCount: count, version: row('version').add(1) };
    return r.branch(row('hidden').default(false), changes, count.ge(threshold), { ...changes, hidden: true, hiddenBy: 'flags' }, changes);
  });
  if (counted === null) await ctx.db.run(ctx.table('flags').get(doc.id).delete(HARD));
  return counted?.version;
}

export async function setHidden(
  ctx: Context,
  target: ModerationTarget,
  hidden: boolean,
  audit: AuditRecord,
): Promise<StoredPost | StoredComment> {
  const found = await targetDoc(ctx, target);
  if (!found) throw missing(target);
  const doc = await update<PostDoc | CommentDoc>(ctx, found.table, found.id, (row) =>
    hidden
      ? { hidden: true, hiddenBy: 'moderator', version: row('version').add(1) }
      : { hidden: r.literal(), hiddenBy: r.literal(), flagCount: r.literal(), version: row('version').add(1) },
  );
  if (!doc) throw missing(target);
  if (!hidden)
    await ctx.db.run(
      ctx.table('flags').between([target.kind, found.id], [target.kind, found.id], { index: 'target', rightBound: 'closed' }).delete(HARD),
    );
  await writeLog(ctx, audit);
  return found.table === 'posts' ? toPost(doc as PostDoc) : (doc as CommentDoc);
}

export async function setLocked(ctx: Context, postId: string, locked: boolean, audit: AuditRecord): Promise<StoredPost> {
  const key = storedId(postId);
  const doc =
    key === undefined
      ? null
      : await update<PostDoc>(ctx, 'posts', key, (row) => ({ locked: locked ? true : r.literal(), version: row('version').add(1) }));
  if (!doc) throw missing({ kind: 'post', postId });
  await writeLog(ctx, audit);
  return toPost(doc);
}

/** Hides the visible items of `author` in `table`, each atomically (a higher version); returns how many. */
async function hideAllOf(ctx: Context, table: 'posts' | 'comments', author: string): Promise<number> {
  const result = await ctx.db.run<WriteResult<unknown>>(
    ctx
      .table(table)
      .getAll(author, { index: 'author' })
      .update(
        (row: Term) => r.branch(row('hidden').default(false), {}, { hidden: true, hiddenBy: 'moderator', version: row('version').add(1) }),
        HARD,
      ),
  );
  return result.replaced;
}

/**
 * Without transactions the steps follow one another: the ban (so the
 * account's writes are refused from then on), its posts, its comments,
 * then the log entry. Each item is hidden atomically; if a step fails the
 * ban stands with part of the content hidden, and banning again with
 * `hideContent` finishes the rest (hidden items are skipped, not counted).
 */
export async function setBan(
  ctx: Context,
  login: string,
  ban: BanRecord | null,
  audit: AuditRecord,
  hideContent = false,
): Promise<UserRecord> {
  const doc = await update<UserDoc>(ctx, 'users', login, () => ({ ban: ban ?? r.literal() }));
  if (!doc) throw new StoreError('not-found', `No account ${login}`);
  if (hideContent) {
    const posts = await hideAllOf(ctx, 'posts', login);
    const comments = await hideAllOf(ctx, 'comments', login);
    await writeLog(ctx, { ...audit, detail: { ...audit.detail, hideContent: true, posts, comments } });
  } else await writeLog(ctx, audit);
  return toUser(doc);
}

const countAdmins = (ctx: Context) =>
  ctx.db.run<number>(
    ctx
      .table('users')
      .filter((u: Term) => u('scopes').contains('admin'))
      .count(),
  );

/**
 * Without transactions the guard is optimistic: the change is written, then
 * the admins are counted; if none is left it is undone and refused. Two
 * admins demoting each other at once may both be undone (both stay admins),
 * never both kept.
 */
/** Writes the scopes; when that left no admin, gives `admin` back and throws `last-admin`. */
async function guardedScopes(ctx: Context, login: string, scopes: Scope[]): Promise<UserDoc> {
  const result = await ctx.db.run<WriteResult<UserDoc>>(
    ctx
      .table('users')
      .get(login)
      .update({ scopes: r.literal(scopes) }, { ...HARD, returnChanges: 'always' }),
  );
  const change = result.changes?.[0];
  if (!change?.new_val || !change.old_val) throw new StoreError('not-found', `No account ${login}`);
  if (change.old_val.scopes.includes('admin') && !scopes.includes('admin') && (await countAdmins(ctx)) === 0) {
    await ctx.db.run(
      ctx
        .table('users')
        .get(login)
        .update((u: Term) => ({ scopes: u('scopes').setInsert('admin') }), HARD),
    );
    throw new StoreError('last-admin', `${login} is the only admin`);
  }
  return change.new_val;
}

export async function setScopes(ctx: Context, login: string, scopes: Scope[], audit: AuditRecord): Promise<UserRecord> {
  const user = await guardedScopes(ctx, login, scopes);
  await writeLog(ctx, audit);
  return toUser(user);
}

/** Before an account is deleted: takes `admin` away first, under the same guard, so the last admin stays. */
export async function releaseAdmin(ctx: Context, login: string): Promise<void> {
  const user = await ctx.db.run<UserDoc | null>(ctx.table('users').get(login));
  if (user?.scopes.includes('admin'))
    await guardedScopes(
      ctx,
      login,
      user.scopes.filter((scope) => scope !== 'admin'),
    );
}

const QUEUE_KEYS = ['string', 'string'] as const;

export async function listModerationQueue(ctx: Context, page: PageRequest): Promise<Page<QueueRecord>> {
  const limit = pageSize(page);
  const after =
    page.cursor === undefined ? undefined : decodeCursor(page.cursor, 'queue', QUEUE_KEYS, ([at, id]) => isInstant(at) && isId(id));
  const flagged = (row: Term) => row('hidden').default(false).or(row('flagCount').default(0).gt(0));
  const before = (row: Term) => (after ? r.expr([row('createdAt'), row('id')]).lt([after[0], String(after[1]).toLowerCase()]) : true);
  const read = (table: 'posts' | 'comments') =>
    ctx.db.run<(PostDoc | CommentDoc)[]>(
      ctx
        .table(table)
        .filter((row: Term) => flagged(row).and(before(row)))
        .orderBy(r.desc('createdAt'), r.desc('id'))
        .limit(limit + 1)
        .coerceTo('array'),
    );
  const [posts, comments] = await Promise.all([read('posts'), read('comments')]);
  const items: (QueueRecord & { id: string })[] = [
    ...posts.map((doc) => ({ kind: 'post' as const, at: doc.createdAt, id: doc.id, post: toPost(doc as PostDoc) })),
    ...comments.map((doc) => ({ kind: 'comment' as const, at: doc.createdAt, id: doc.id, comment: doc as CommentDoc })),
  ].sort((a, b) => (a.at !== b.at ? (a.at < b.at ? 1 : -1) : a.id < b.id ? 1 : -1));
  const pageOf = toPage(items, limit, (item) => encodeCursor('queue', [item.at, item.id]));
  return { items: pageOf.items.map(({ id: _, ...item }) => item), nextCursor: pageOf.nextCursor };
}

export async function listModerationLog(ctx: Context, page: PageRequest): Promise<Page<AuditEntry>> {
  const limit = pageSize(page);
  const after =
    page.cursor === undefined ? undefined : decodeCursor(page.cursor, 'log', ['string', 'string'], ([at, id]) => isInstant(at) && isId(id));
  const log = ctx.table('moderation_log');
  const range = after ? log.between(r.minval, [after[0], after[1]], { index: 'log', rightBound: 'open' }) : log;
  const rows = await ctx.db.run<AuditEntry[]>(
    range
      .orderBy({ index: r.desc('log') })
      .limit(limit + 1)
      .coerceTo('array'),
  );
  return toPage(rows, limit, (entry) => encodeCursor('log', [entry.at, entry.id]));
}
