import { hotRank } from '@news-forum/protocol';
import { BACKUP_TABLES, type BackupRecord, type BackupSink, type BackupTable, NO_ROWS, type RowCounts } from '../store.js';
import { StoreError } from '../store-error.js';
import { readFeedPosition } from './change-feed.js';
import { sqlState } from './database-errors.js';
import type { SqlDriver, SqlExecutor } from './driver.js';
import { recount } from './recount.js';

const BATCH = 500;

/** Flags of posts and comments as one list, keyed by `kind:id` and login. */
const FLAGS = `
  SELECT jsonb_build_object('kind', 'post', 'targetId', post_id, 'login', login, 'reason', reason, 'createdAt', iso_time(created_at)) AS doc,
         'post:' || post_id AS k1, login AS k2 FROM post_flags
  UNION ALL
  SELECT jsonb_build_object('kind', 'comment', 'targetId', comment_id, 'login', login, 'reason', reason, 'createdAt', iso_time(created_at)),
         'comment:' || comment_id, login FROM comment_flags`;

const LOG_ENTRY = `jsonb_build_object('id', m.id::text, 'at', iso_time(m.at), 'actor', m.actor, 'action', m.action,
  'targetKind', m.target_kind, 'targetId', m.target_id, 'reason', m.reason)
  || CASE WHEN m.detail IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('detail', m.detail) END`;

/** One table read in keyset batches: `select` returns `{doc, k1, k2?}` rows after the `$1`/`$2` key. */
interface KeysetRead {
  first: string;
  after: string;
}

const READS: Record<Exclude<BackupTable, 'comments'>, KeysetRead> = {
  users: {
    first: 'SELECT user_json(u) AS doc, u.login AS k1 FROM users u ORDER BY u.login LIMIT $1',
    after: 'SELECT user_json(u) AS doc, u.login AS k1 FROM users u WHERE u.login > $2 ORDER BY u.login LIMIT $1',
  },
  posts: {
    first: 'SELECT post_json(p) AS doc, p.id::text AS k1 FROM posts p ORDER BY p.id LIMIT $1',
    after: 'SELECT post_json(p) AS doc, p.id::text AS k1 FROM posts p WHERE p.id > $2::uuid ORDER BY p.id LIMIT $1',
  },
  votes: {
    first: `SELECT jsonb_build_object('postId', v.post_id, 'login', v.login, 'value', v.value) AS doc,
                   v.post_id::text AS k1, v.login AS k2
              FROM votes v ORDER BY v.post_id, v.login LIMIT $1`,
    after: `SELECT jsonb_build_object('postId', v.post_id, 'login', v.login, 'value', v.value) AS doc,
                   v.post_id::text AS k1, v.login AS k2
              FROM votes v WHERE (v.post_id, v.login) > ($2::uuid, $3) ORDER BY v.post_id, v.login LIMIT $1`,
  },
  idempotencyKeys: {
    first: `SELECT jsonb_build_object('owner', i.owner, 'key', i.key, 'requestHash', i.request_hash,
                     'resourceId', i.resource_id, 'createdAt', iso_time(i.created_at)) AS doc, i.owner AS k1, i.key AS k2
              FROM idempotency_keys i ORDER BY i.owner, i.key LIMIT $1`,
    after: `SELECT jsonb_build_object('owner', i.owner, 'key', i.key, 'requestHash', i.request_hash,
                     'resourceId', i.resource_id, 'createdAt', iso_time(i.created_at)) AS doc, i.owner AS k1, i.key AS k2
              FROM idempotency_keys i WHERE (i.owner, i.key) > ($2, $3) ORDER BY i.owner, i.key LIMIT $1`,
  },
  notifications: {
    first: 'SELECT notification_json(n) AS doc, n.id::text AS k1 FROM notifications n ORDER BY n.id LIMIT $1',
    after: 'SELECT notification_json(n) AS doc, n.id::text AS k1 FROM notifications n WHERE n.id > $2::uuid ORDER BY n.id LIMIT $1',
  },
  flags: {
    first: `SELECT doc, k1, k2 FROM (${FLAGS}) f ORDER BY k1, k2 LIMIT $1`,
    after: `SELECT doc, k1, k2 FROM (${FLAGS}) f WHERE (k1, k2) > ($2, $3) ORDER BY k1, k2 LIMIT $1`,
  },
  moderationLog: {
    first: `SELECT ${LOG_ENTRY} AS doc, lpad(m.id::text, 20, '0') AS k1 FROM moderation_log m ORDER BY m.id LIMIT $1`,
    after: `SELECT ${LOG_ENTRY} AS doc, lpad(m.id::text, 20, '0') AS k1 FROM moderation_log m
             WHERE m.id > $2::bigint ORDER BY m.id LIMIT $1`,
  },
  // An expired token is refused for its expiry anyway, and housekeeping prunes it.
  revokedTokens: {
    first: `SELECT jsonb_build_object('jti', t.jti, 'accountId', t.account_id, 'expiresAt', iso_time(t.expires_at)) AS doc,
                   t.jti::text AS k1
              FROM revoked_tokens t WHERE t.expires_at > now() ORDER BY t.jti LIMIT $1`,
    after: `SELECT jsonb_build_object('jti', t.jti, 'accountId', t.account_id, 'expiresAt', iso_time(t.expires_at)) AS doc,
                   t.jti::text AS k1
              FROM revoked_tokens t WHERE t.expires_at > now() AND t.jti > $2::uuid ORDER BY t.jti LIMIT $1`,
  },
};

type KeyedRow = { doc: unknown; k1: string; k2?: string };

async function readTable(tx: SqlExecutor, table: Exclude<BackupTable, 'comments'>, sink: BackupSink): Promise<void> {
  const read = READS[table];
  let rows = await tx.query<KeyedRow>(read.first, [BATCH]);
  for (let last = rows.at(-1); last !== undefined; last = rows.at(-1)) {
    await sink.rows(rows.map((row) => ({ table, row: row.doc }) as BackupRecord));
    if (rows.length < BATCH) return;
    rows = await tx.query<KeyedRow>(
      read.after,
      last.k2 === undefined ? [BATCH, table === 'moderationLog' ? String(BigInt(last.k1)) : last.k1] : [BATCH, last.k1, last.k2],
    );
  }
}

/** Comments level by level, so that every reply follows its parent. */
async function readComments(tx: SqlExecutor, sink: BackupSink): Promise<void> {
  let parents: string[] | undefined;
  for (;;) {
    const level: string[] = [];
    let last = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const where = parents === undefined ? 'c.parent_id IS NULL' : 'c.parent_id = ANY($3::uuid[])';
      const rows = await tx.query<KeyedRow>(
        `SELECT comment_json(c) AS doc, c.id::text AS k1 FROM comments c
          WHERE ${where} AND c.id > $2::uuid ORDER BY c.id LIMIT $1`,
        parents === undefined ? [BATCH, last] : [BATCH, last, parents],
      );
      if (rows.length > 0) await sink.rows(rows.map((row) => ({ table: 'comments', row: row.doc }) as BackupRecord));
      for (const row of rows) level.push(row.k1);
      const end = rows.at(-1);
      if (end === undefined || rows.length < BATCH) break;
      last = end.k1;
    }
    if (level.length === 0) return;
    parents = level;
  }
}

/** Reads every table in one REPEATABLE READ transaction: one snapshot, however long it takes. */
export async function exportSnapshot(driver: SqlDriver, sink: BackupSink): Promise<void> {
  await driver.transaction(async (tx) => {
    await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const position = await readFeedPosition(tx);
    await sink.begin({ feedPosition: `${position.epoch}:${position.seq}` });
    await readTable(tx, 'users', sink);
    await readTable(tx, 'posts', sink);
    await readComments(tx, sink);
    await readTable(tx, 'votes', sink);
    await readTable(tx, 'idempotencyKeys', sink);
    await readTable(tx, 'notifications', sink);
    await readTable(tx, 'flags', sink);
    await readTable(tx, 'moderationLog', sink);
    await readTable(tx, 'revokedTokens', sink);
  });
}

/** Who hid an item; a backup written before the reason was kept has none (read as a moderator's). */
const HIDDEN_BY = `CASE WHEN r.hidden AND r."hiddenBy" IN ('moderator', 'flags') THEN r."hiddenBy" END`;

/** Statements that insert a batch given as one JSON array: exported shapes in, columns out. */
const INSERTS: Record<BackupTable, string> = {
  // A file written before session versions existed has none: 0, as migration 4 gave every account.
  users: `INSERT INTO users (id, login, display_name, scopes, password_hash, created_at, session_version, banned, banned_until, ban_reason)
          SELECT r.id, r.login, r."displayName", r.scopes, r."passwordHash", r."createdAt", coalesce(r."sessionVersion", 0),
                 r.ban IS NOT NULL, (r.ban->>'until')::timestamptz, r.ban->>'reason'
            FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, login text, "displayName" text, scopes text[],
                                                   "passwordHash" text, "createdAt" timestamptz, "sessionVersion" integer, ban jsonb)`,
  posts: `INSERT INTO posts (id, title, url, text, author, created_at, upvotes, downvotes, comment_count, version, hot, page_url,
                             edited_at, hidden, hidden_by, locked, flag_count)
          SELECT r.id, r.title, r.url, r.text, r.author, r."createdAt", r.upvotes, r.downvotes, r."commentCount", r.version, h.hot,
                 r."pageUrl", r."editedAt", coalesce(r.hidden, false), ${HIDDEN_BY}, coalesce(r.locked, false), coalesce(r."flagCount", 0)
            FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, title text, url text, text text, author text,
                                                   "createdAt" timestamptz, upvotes integer, downvotes integer,
                                                   "commentCount" integer, version bigint, "pageUrl" text, "editedAt" timestamptz,
                                                   hidden boolean, "hiddenBy" text, locked boolean, "flagCount" integer)
            JOIN unnest($2::uuid[], $3::float8[]) AS h(id, hot) ON h.id = r.id`,
  comments: `INSERT INTO comments (id, post_id, parent_id, author, text, created_at, version, edited_at, hidden, hidden_by, flag_count)
             SELECT r.id, r."postId", r."parentId", r.author, r.text, r."createdAt", r.version,
                    r."editedAt", coalesce(r.hidden, false), ${HIDDEN_BY}, coalesce(r."flagCount", 0)
               FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, "postId" uuid, "parentId" uuid, author text, text text,
                                                      "createdAt" timestamptz, version bigint, "editedAt" timestamptz,
                                                      hidden boolean, "hiddenBy" text, "flagCount" integer)`,
  votes: `INSERT INTO votes (post_id, login, value)
          SELECT r."postId", r.login, r.value FROM jsonb_to_recordset($1::jsonb) AS r("postId" uuid, login text, value smallint)`,
  idempotencyKeys: `INSERT INTO idempotency_keys (owner, key, request_hash, resource_id, created_at)
                    SELECT r.owner, r.key, r."requestHash", r."resourceId", r."createdAt"
                      FROM jsonb_to_recordset($1::jsonb) AS r(owner text, key text, "requestHash" text, "resourceId" uuid,
                                                             "createdAt" timestamptz)`,
  notifications: `INSERT INTO notifications (id, recipient, comment_id, post_id, actor, excerpt, created_at, read_at)
                  SELECT r.id, r.recipient, r."commentId", r."postId", r.actor, r.excerpt, r."createdAt", r."readAt"
                    FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, recipient text, "commentId" uuid, "postId" uuid, actor text,
                                                           excerpt text, "createdAt" timestamptz, "readAt" timestamptz)`,
  flags: `WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(kind text, "targetId" uuid, login text, reason text, "createdAt" timestamptz)),
               p AS (INSERT INTO post_flags (post_id, login, reason, created_at)
                     SELECT "targetId", login, reason, "createdAt" FROM r WHERE kind = 'post')
          INSERT INTO comment_flags (comment_id, login, reason, created_at)
          SELECT "targetId", login, reason, "createdAt" FROM r WHERE kind = 'comment'`,
  moderationLog: `INSERT INTO moderation_log (id, at, actor, action, target_kind, target_id, reason, detail)
                  SELECT r.id, r.at, r.actor, r.action, r."targetKind", r."targetId", r.reason, r.detail
                    FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, at timestamptz, actor text, action text, "targetKind" text,
                                                           "targetId" text, reason text, detail jsonb)`,
  revokedTokens: `INSERT INTO revoked_tokens (jti, account_id, expires_at)
                  SELECT r.jti, r."accountId", r."expiresAt"
                    FROM jsonb_to_recordset($1::jsonb) AS r(jti uuid, "accountId" uuid, "expiresAt" timestamptz)`,
};

/** A vote whose post or account the rows restored so far lack (votes have no foreign keys since migration 15). */
const STRAY_VOTE = `SELECT r."postId" AS post_id, r.login FROM jsonb_to_recordset($1::jsonb) AS r("postId" uuid, login text)
                     WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = r."postId")
                        OR NOT EXISTS (SELECT 1 FROM users u WHERE u.login = r.login)
                     LIMIT 1`;

async function insertBatch(tx: SqlExecutor, table: BackupTable, rows: unknown[]): Promise<void> {
  const params: unknown[] = [JSON.stringify(rows)];
  if (table === 'posts') {
    // The rank is the application's (protocol's hotRank), as on every vote.
    const posts = rows as { id: string; upvotes: number; downvotes: number; createdAt: string }[];
    params.push(
      posts.map((post) => post.id),
      posts.map((post) => hotRank(post)),
    );
  }
  try {
    if (table === 'votes') {
      const [stray] = await tx.query<{ post_id: string; login: string }>(STRAY_VOTE, params);
      if (stray)
        throw new StoreError('invalid', `The votes rows do not fit: ${stray.login}'s vote on ${stray.post_id} has no post or no account`);
    }
    await tx.query(INSERTS[table], params);
  } catch (error) {
    // Keys and references that do not hold: the file is not a backup of one database.
    const state = sqlState(error);
    if (state?.startsWith('23') || state?.startsWith('22'))
      throw new StoreError('invalid', `The ${table} rows do not fit: ${(error as Error).message}`, { cause: error });
    throw error;
  }
}

async function assertEmpty(tx: SqlExecutor): Promise<void> {
  const [row] = await tx.query<{ filled: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM posts) OR EXISTS (SELECT 1 FROM comments)
         OR EXISTS (SELECT 1 FROM votes) OR EXISTS (SELECT 1 FROM idempotency_keys)
         OR EXISTS (SELECT 1 FROM notifications) OR EXISTS (SELECT 1 FROM moderation_log)
         OR EXISTS (SELECT 1 FROM revoked_tokens) AS filled`,
  );
  if (row?.filled) throw new StoreError('conflict', 'The database is not empty: a backup is restored into an empty one only');
}

/** Inserts the records in one transaction and recounts every post. */
export async function importBackup(driver: SqlDriver, records: AsyncIterable<BackupRecord>): Promise<RowCounts> {
  return driver.transaction(async (tx) => {
    // Nothing else may fill the database between the check and the commit.
    await tx.query(
      'LOCK TABLE users, posts, comments, votes, idempotency_keys, notifications, moderation_log, revoked_tokens IN SHARE ROW EXCLUSIVE MODE',
    );
    await assertEmpty(tx);
    const counts: RowCounts = { ...NO_ROWS };
    let table: BackupTable | undefined;
    let batch: unknown[] = [];
    const flush = async () => {
      if (table === undefined || batch.length === 0) return;
      await insertBatch(tx, table, batch);
      counts[table] += batch.length;
      batch = [];
    };
    for await (const record of records) {
      if (!BACKUP_TABLES.includes(record.table)) throw new StoreError('invalid', `Unknown table ${String(record.table)}`);
      if (record.table !== table || batch.length >= BATCH) {
        await flush();
        table = record.table;
      }
      batch.push(record.row);
    }
    await flush();
    // Restored log ids keep their order; new entries follow them.
    await tx.query(
      "SELECT setval(pg_get_serial_sequence('moderation_log', 'id'), coalesce((SELECT max(id) FROM moderation_log), 0) + 1, false)",
    );
    const posts = await tx.query<{ id: string }>('SELECT id::text AS id FROM posts');
    await recount(
      tx,
      posts.map((post) => post.id),
    );
    return counts;
  });
}
