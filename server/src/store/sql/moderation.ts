import { ID_PATTERN, type Scope } from '@news-forum/protocol';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { pageSize, toPage } from '../pages.js';
import type {
  AuditEntry,
  AuditRecord,
  BanRecord,
  EditGuard,
  ModerationTarget,
  Page,
  PageRequest,
  PostEditRecord,
  QueueRecord,
  StoredComment,
  StoredPost,
  UserRecord,
} from '../store.js';
import { missingTarget as missing, StoreError } from '../store-error.js';
import { lockAccount } from './account-lock.js';
import type { SqlExecutor } from './driver.js';
import { reExcerpt } from './notifications.js';

const UUID = new RegExp(ID_PATTERN.source, 'i');
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Advisory lock that serializes every change of who holds `admin`, so the last one always stays. */
const ADMIN_LOCK = 7_301_006;

function validTarget(target: ModerationTarget): boolean {
  return UUID.test(target.postId) && (target.kind === 'post' || UUID.test(target.id));
}

/** Appends to the moderation log, in the caller's transaction. */
export async function writeLog(tx: SqlExecutor, entry: AuditRecord): Promise<void> {
  await tx.query(
    'INSERT INTO moderation_log (actor, action, target_kind, target_id, reason, detail) VALUES ($1, $2, $3, $4, $5, $6::jsonb)',
    [entry.actor, entry.action, entry.targetKind, entry.targetId, entry.reason, entry.detail ? JSON.stringify(entry.detail) : null],
  );
}

/**
 * Throws `last-admin` when `login` holds `admin` and no other account does.
 * Every caller takes the same advisory lock first, so two admins demoting
 * or deleting each other at once are serialized and the second sees the
 * first's commit (each statement of READ COMMITTED reads afresh).
 */
export async function guardLastAdmin(tx: SqlExecutor, login: string, keepsAdmin = false): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(${ADMIN_LOCK})`);
  if (keepsAdmin) return;
  const [row] = await tx.query<{ is_admin: boolean; others: number }>(
    `SELECT EXISTS (SELECT 1 FROM users WHERE login = $1 AND 'admin' = ANY(scopes)) AS is_admin,
            (SELECT count(*) FROM users WHERE login <> $1 AND 'admin' = ANY(scopes))::integer AS others`,
    [login],
  );
  if (row?.is_admin && row.others === 0) throw new StoreError('last-admin', `${login} is the only admin`);
}

/** Who may edit: a moderator always, the author only inside the window (checked by the database clock). */
const EDITABLE = '($2::integer IS NULL OR (author = $3 AND created_at > now() - make_interval(secs => $2::integer)))';

export async function editPost(tx: SqlExecutor, id: string, edit: PostEditRecord, guard: EditGuard): Promise<StoredPost> {
  if (!UUID.test(id)) throw missing({ kind: 'post', postId: id });
  await lockAccount(tx, guard.editor);
  const rows = await tx.query<{ doc: StoredPost }>(
    `UPDATE posts AS p SET
        title = CASE WHEN $4::boolean THEN $5 ELSE title END,
        url = CASE WHEN $6::boolean THEN $7 ELSE url END,
        text = CASE WHEN $8::boolean THEN $9 ELSE text END,
        edited_at = now(), version = version + 1
      WHERE id = $1 AND ${EDITABLE} RETURNING post_json(p) AS doc`,
    [
      id,
      guard.windowSeconds,
      guard.editor,
      edit.title !== undefined,
      edit.title ?? null,
      edit.url !== undefined,
      edit.url ?? null,
      edit.text !== undefined,
      edit.text ?? null,
    ],
  );
  if (rows[0]) return rows[0].doc;
  const exists = await tx.query('SELECT 1 FROM posts WHERE id = $1', [id]);
  if (exists.length === 0) throw missing({ kind: 'post', postId: id });
  throw new StoreError('edit-window-closed', 'The post can no longer be edited by its author');
}

export async function editComment(tx: SqlExecutor, postId: string, id: string, text: string, guard: EditGuard): Promise<StoredComment> {
  const target: ModerationTarget = { kind: 'comment', postId, id };
  if (!validTarget(target)) throw missing(target);
  await lockAccount(tx, guard.editor);
  const rows = await tx.query<{ doc: StoredComment }>(
    `UPDATE comments AS c SET text = $5, edited_at = now(), version = version + 1
      WHERE id = $1 AND post_id = $4 AND ${EDITABLE} RETURNING comment_json(c) AS doc`,
    [id, guard.windowSeconds, guard.editor, postId, text],
  );
  if (rows[0]) {
    await reExcerpt(tx, id, text);
    return rows[0].doc;
  }
  const exists = await tx.query('SELECT 1 FROM comments WHERE id = $1 AND post_id = $2', [id, postId]);
  if (exists.length === 0) throw missing(target);
  throw new StoreError('edit-window-closed', 'The comment can no longer be edited by its author');
}

export async function flag(
  tx: SqlExecutor,
  target: ModerationTarget,
  login: string,
  reason: string,
  threshold: number,
): Promise<number | undefined> {
  if (!validTarget(target)) throw missing(target);
  await lockAccount(tx, login);
  // The post first, as every writer of a post's comments locks it.
  const posts = await tx.query('SELECT 1 FROM posts WHERE id = $1 FOR UPDATE', [target.postId]);
  if (posts.length === 0) throw missing(target);
  const [table, flags, key, id] =
    target.kind === 'post'
      ? (['posts', 'post_flags', 'post_id', target.postId] as const)
      : (['comments', 'comment_flags', 'comment_id', target.id] as const);
  if (target.kind === 'comment') {
    const comments = await tx.query('SELECT 1 FROM comments WHERE id = $1 AND post_id = $2 FOR UPDATE', [id, target.postId]);
    if (comments.length === 0) throw missing(target);
  }
  const added = await tx.query(
    `INSERT INTO ${flags} (${key}, login, reason) VALUES ($1, $2, $3) ON CONFLICT (${key}, login) DO NOTHING RETURNING 1`,
    [id, login, reason],
  );
  if (added.length === 0) return undefined;
  const [counted] = await tx.query<{ version: string | number }>(
    `UPDATE ${table} SET flag_count = flag_count + 1, hidden = hidden OR flag_count + 1 >= $2,
        hidden_by = CASE WHEN hidden THEN hidden_by WHEN flag_count + 1 >= $2 THEN 'flags' END, version = version + 1
      WHERE id = $1 RETURNING version`,
    [id, threshold],
  );
  return Number(counted?.version);
}

export async function setHidden(
  tx: SqlExecutor,
  target: ModerationTarget,
  hidden: boolean,
  audit: AuditRecord,
): Promise<StoredPost | StoredComment> {
  if (!validTarget(target)) throw missing(target);
  const posts = await tx.query('SELECT 1 FROM posts WHERE id = $1 FOR UPDATE', [target.postId]);
  if (posts.length === 0) throw missing(target);
  let doc: StoredPost | StoredComment | undefined;
  if (target.kind === 'post') {
    if (!hidden) await tx.query('DELETE FROM post_flags WHERE post_id = $1', [target.postId]);
    [doc] = (
      await tx.query<{ doc: StoredPost }>(
        `UPDATE posts AS p SET hidden = $2, hidden_by = CASE WHEN $2 THEN 'moderator' END,
            flag_count = CASE WHEN $2 THEN flag_count ELSE 0 END, version = version + 1
          WHERE id = $1 RETURNING post_json(p) AS doc`,
        [target.postId, hidden],
      )
    ).map((row) => row.doc);
  } else {
    [doc] = (
      await tx.query<{ doc: StoredComment }>(
        `UPDATE comments AS c SET hidden = $3, hidden_by = CASE WHEN $3 THEN 'moderator' END,
            flag_count = CASE WHEN $3 THEN flag_count ELSE 0 END, version = version + 1
          WHERE id = $1 AND post_id = $2 RETURNING comment_json(c) AS doc`,
        [target.id, target.postId, hidden],
      )
    ).map((row) => row.doc);
    if (doc && !hidden) await tx.query('DELETE FROM comment_flags WHERE comment_id = $1', [target.id]);
  }
  if (!doc) throw missing(target);
  await writeLog(tx, audit);
  return doc;
}

export async function setLocked(tx: SqlExecutor, postId: string, locked: boolean, audit: AuditRecord): Promise<StoredPost> {
  if (!UUID.test(postId)) throw missing({ kind: 'post', postId });
  const [row] = await tx.query<{ doc: StoredPost }>(
    'UPDATE posts AS p SET locked = $2, version = version + 1 WHERE id = $1 RETURNING post_json(p) AS doc',
    [postId, locked],
  );
  if (!row) throw missing({ kind: 'post', postId });
  await writeLog(tx, audit);
  return row.doc;
}

/**
 * Hides every visible post and comment of `author`, as a moderator's hide
 * (a higher version, so the change feed carries each). The posts are locked
 * first, in id order, as every writer of a post's comments locks its post.
 */
async function hideContentOf(tx: SqlExecutor, author: string): Promise<{ posts: number; comments: number }> {
  await tx.query(
    `SELECT 1 FROM posts WHERE author = $1 OR id IN (SELECT post_id FROM comments WHERE author = $1 AND NOT hidden)
      ORDER BY id FOR UPDATE`,
    [author],
  );
  const posts = await tx.query(
    `UPDATE posts SET hidden = true, hidden_by = 'moderator', version = version + 1 WHERE author = $1 AND NOT hidden RETURNING 1`,
    [author],
  );
  const comments = await tx.query(
    `UPDATE comments SET hidden = true, hidden_by = 'moderator', version = version + 1 WHERE author = $1 AND NOT hidden RETURNING 1`,
    [author],
  );
  return { posts: posts.length, comments: comments.length };
}

export async function setBan(
  tx: SqlExecutor,
  login: string,
  ban: BanRecord | null,
  audit: AuditRecord,
  hideContent = false,
): Promise<UserRecord> {
  const [row] = await tx.query<{ doc: UserRecord }>(
    `UPDATE users AS u SET banned = $2, banned_until = $3, ban_reason = $4 WHERE login = $1 RETURNING user_json(u) AS doc`,
    [login, ban !== null, ban?.until ?? null, ban?.reason ?? null],
  );
  if (!row) throw new StoreError('not-found', `No account ${login}`);
  const hidden = hideContent ? { hideContent: true, ...(await hideContentOf(tx, login)) } : undefined;
  await writeLog(tx, hidden ? { ...audit, detail: { ...audit.detail, ...hidden } } : audit);
  return row.doc;
}

export async function setScopes(tx: SqlExecutor, login: string, scopes: Scope[], audit: AuditRecord): Promise<UserRecord> {
  await guardLastAdmin(tx, login, scopes.includes('admin'));
  const [row] = await tx.query<{ doc: UserRecord }>(
    'UPDATE users AS u SET scopes = $2::text[] WHERE login = $1 RETURNING user_json(u) AS doc',
    [login, scopes],
  );
  if (!row) throw new StoreError('not-found', `No account ${login}`);
  await writeLog(tx, audit);
  return row.doc;
}

const QUEUE_KEYS = ['string', 'string'] as const;
const validQueueKeys = ([at, id]: readonly unknown[]) => ISO_MS.test(String(at)) && UUID.test(String(id));

export async function listModerationQueue(db: SqlExecutor, page: PageRequest): Promise<Page<QueueRecord>> {
  const limit = pageSize(page);
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 'queue', QUEUE_KEYS, validQueueKeys);
  const where = (t: string) => (after ? `AND (${t}.created_at, ${t}.id) < ($2::timestamptz, $3::uuid)` : '');
  const rows = await db.query<{ kind: 'post' | 'comment'; doc: StoredPost | StoredComment }>(
    `SELECT kind, doc FROM (
       (SELECT 'post' AS kind, post_json(p) AS doc, p.created_at AS ts, p.id AS uid FROM posts p
         WHERE (p.hidden OR p.flag_count > 0) ${where('p')} ORDER BY p.created_at DESC, p.id DESC LIMIT $1)
       UNION ALL
       (SELECT 'comment', comment_json(c), c.created_at, c.id FROM comments c
         WHERE (c.hidden OR c.flag_count > 0) ${where('c')} ORDER BY c.created_at DESC, c.id DESC LIMIT $1)
     ) q ORDER BY ts DESC, uid DESC LIMIT $1`,
    after ? [limit + 1, ...after] : [limit + 1],
  );
  const { items, nextCursor } = toPage(rows, limit, ({ doc }) => encodeCursor('queue', [doc.createdAt, doc.id]));
  return {
    items: items.map(({ kind, doc }) =>
      kind === 'post' ? { kind, at: doc.createdAt, post: doc as StoredPost } : { kind, at: doc.createdAt, comment: doc as StoredComment },
    ),
    nextCursor,
  };
}

export async function listModerationLog(db: SqlExecutor, page: PageRequest): Promise<Page<AuditEntry>> {
  const limit = pageSize(page);
  const after =
    page.cursor === undefined ? undefined : decodeCursor(page.cursor, 'log', ['string'] as const, ([id]) => /^\d{1,18}$/.test(String(id)));
  const rows = await db.query<AuditEntry>(
    `SELECT id::text AS id, iso_time(at) AS at, actor, action, target_kind AS "targetKind", target_id AS "targetId", reason, detail
       FROM moderation_log ${after ? 'WHERE moderation_log.id < $2::bigint' : ''} ORDER BY moderation_log.id DESC LIMIT $1`,
    after ? [limit + 1, ...after] : [limit + 1],
  );
  return toPage(
    rows.map(({ detail, ...entry }) => (detail ? { ...entry, detail } : entry)),
    limit,
    (entry) => encodeCursor('log', [entry.id]),
  );
}
