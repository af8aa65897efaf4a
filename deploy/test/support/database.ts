import type pg from 'pg';
import type { Watcher, WriteLedger } from './load.js';

/** The newest 100 posts and one thread's comments, as `id:version` lists in the views' orders. */
export async function databaseState(db: pg.Pool, threadId: string): Promise<{ posts: string[]; comments: string[] }> {
  const posts = await db.query<{ key: string }>(
    `SELECT id || ':' || version || ':' || upvotes || ':' || downvotes || ':' || comment_count AS key FROM posts ORDER BY created_at DESC, id DESC LIMIT 100`,
  );
  const comments = await db.query<{ key: string }>(
    `SELECT id || ':' || version AS key FROM comments WHERE post_id = $1 ORDER BY created_at, id`,
    [threadId],
  );
  return { posts: posts.rows.map((r) => r.key).sort(), comments: comments.rows.map((r) => r.key).sort() };
}

/** A watcher's views in the same form. */
export function viewState(watcher: Watcher): { posts: string[]; comments: string[] } {
  return {
    posts: (watcher.posts.items ?? []).map((p) => `${p.id}:${p.version}:${p.upvotes}:${p.downvotes}:${p.commentCount}`).sort(),
    comments: (watcher.comments.items ?? []).map((c) => `${c.id}:${c.version}`).sort(),
  };
}

/** Acknowledged writes missing from the database (empty when nothing was lost), and how many were checked. */
export async function lostWrites(db: pg.Pool, ledger: WriteLedger): Promise<{ checked: number; lost: string[] }> {
  const lost: string[] = [];
  const found = await db.query<{ id: string }>('SELECT id FROM comments WHERE id = ANY($1::uuid[])', [ledger.comments]);
  const present = new Set(found.rows.map((r) => r.id));
  for (const id of ledger.comments) if (!present.has(id)) lost.push(`comment ${id}`);
  const votes = await db.query<{ login: string; post_id: string; value: number }>('SELECT login, post_id, value FROM votes');
  const stored = new Map(votes.rows.map((r) => [`${r.login}|${r.post_id}`, r.value]));
  let checked = ledger.comments.length;
  for (const [pair, value] of ledger.votes) {
    if (ledger.uncertain.has(pair)) continue;
    checked += 1;
    if (stored.get(pair) !== value) lost.push(`vote ${pair}=${value} (stored ${stored.get(pair)})`);
  }
  return { checked, lost };
}
