import { hotRank } from '@news-forum/protocol';
import type { SqlExecutor } from './driver.js';

/** Recomputes counters and rank of posts from their votes and comments; bumps `version` where they changed. */
export async function recount(tx: SqlExecutor, postIds: string[]): Promise<void> {
  if (postIds.length === 0) return;
  // Counting in a statement after the lock is held sees every vote and
  // comment committed before it (READ COMMITTED takes a snapshot per statement).
  await tx.query('SELECT 1 FROM posts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [postIds]);
  const rows = await tx.query<{ id: string; created_at: string; upvotes: number; downvotes: number; comments: number }>(
    `SELECT p.id::text AS id, iso_time(p.created_at) AS created_at,
            (SELECT count(*) FROM votes v WHERE v.post_id = p.id AND v.value = 1)::integer AS upvotes,
            (SELECT count(*) FROM votes v WHERE v.post_id = p.id AND v.value = -1)::integer AS downvotes,
            (SELECT count(*) FROM comments c WHERE c.post_id = p.id)::integer AS comments
       FROM posts p WHERE p.id = ANY($1::uuid[])`,
    [postIds],
  );
  if (rows.length === 0) return;
  await tx.query(
    `UPDATE posts p SET upvotes = n.upvotes, downvotes = n.downvotes, comment_count = n.comments, hot = n.hot,
            version = p.version + 1
       FROM unnest($1::uuid[], $2::integer[], $3::integer[], $4::integer[], $5::float8[]) AS n(id, upvotes, downvotes, comments, hot)
      WHERE p.id = n.id
        AND (p.upvotes, p.downvotes, p.comment_count) IS DISTINCT FROM (n.upvotes, n.downvotes, n.comments)`,
    [
      rows.map((row) => row.id),
      rows.map((row) => row.upvotes),
      rows.map((row) => row.downvotes),
      rows.map((row) => row.comments),
      rows.map((row) => hotRank({ upvotes: row.upvotes, downvotes: row.downvotes, createdAt: row.created_at })),
    ],
  );
}
