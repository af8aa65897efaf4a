import { randomUUID } from 'node:crypto';
import { hotRank } from '@news-forum/protocol';
import type { NewPagePostRecord, StoredPost } from '../store.js';
import type { SqlExecutor } from './driver.js';

// A post deleted between the insert that found it and the read: try again, a few times.
const ATTEMPTS = 3;

export async function getPagePost(db: SqlExecutor, pageUrl: string): Promise<StoredPost | null> {
  const [row] = await db.query<{ doc: StoredPost }>('SELECT post_json(p) AS doc FROM posts p WHERE page_url = $1', [pageUrl]);
  return row?.doc ?? null;
}

/**
 * The page's post, inserted unless there is one. The unique index on
 * `page_url` settles concurrent first comments: ON CONFLICT waits for the
 * other insert to commit, and the read that follows (a new snapshot in READ
 * COMMITTED) sees its post.
 */
export async function ensurePagePost(db: SqlExecutor, page: NewPagePostRecord): Promise<StoredPost> {
  for (let attempt = 1; ; attempt++) {
    const createdAt = new Date().toISOString();
    const [inserted] = await db.query<{ doc: StoredPost }>(
      `INSERT INTO posts AS p (id, title, url, text, author, created_at, hot, page_url) VALUES ($1, $2, $3, NULL, $4, $5, $6, $3)
       ON CONFLICT (page_url) WHERE page_url IS NOT NULL DO NOTHING RETURNING post_json(p) AS doc`,
      [randomUUID(), page.title, page.pageUrl, page.author, createdAt, hotRank({ upvotes: 0, downvotes: 0, createdAt })],
    );
    if (inserted) return inserted.doc;
    const existing = await getPagePost(db, page.pageUrl);
    if (existing || attempt >= ATTEMPTS) {
      if (existing) return existing;
      throw new Error(`The post of ${page.pageUrl} vanished ${ATTEMPTS} times while it was being created`);
    }
  }
}

/**
 * Gives each page post of `login` to the author of its oldest comment, the
 * page's discussion being the readers' and not its first commenter's. Run by
 * deleteUser, with the posts locked and the comments of `login` already gone;
 * page posts nobody else commented on stay with `login` and go with it.
 */
export async function handOverPagePosts(tx: SqlExecutor, login: string): Promise<void> {
  await tx.query(
    `UPDATE posts p SET author = heir.author, version = p.version + 1
       FROM (SELECT DISTINCT ON (c.post_id) c.post_id, c.author
               FROM comments c JOIN posts q ON q.id = c.post_id
              WHERE q.author = $1 AND q.page_url IS NOT NULL AND c.author <> $1
              ORDER BY c.post_id, c.created_at, c.id) AS heir
      WHERE p.id = heir.post_id`,
    [login],
  );
}
