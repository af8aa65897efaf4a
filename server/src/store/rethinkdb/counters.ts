import type { StoredPost } from '../store.js';
import { type PostDoc, rankOf, toPost } from './documents.js';
import { HARD, r, type Term, type WriteResult } from './reql.js';
import type { Context } from './tables.js';

/** A change of a post's counters. */
export interface Delta {
  upvotes?: number;
  downvotes?: number;
  comments?: number;
}

/**
 * Moves the post's counters by `delta` and bumps `version`, in one atomic
 * update of the post (RethinkDB has no multi-document transactions, so the
 * vote or comment that causes it was written just before; a crash between
 * the two leaves the counters off until the recount).
 *
 * The hot rank needs a logarithm, which ReQL lacks, so it is computed here
 * for the score the caller expects (`expected`, the post's score it read
 * plus the delta) and written in the same update when the score comes out
 * as expected. When concurrent votes made it come out otherwise, one more
 * update sets the rank for the score it found, unless the score moved on
 * again (whose writer then does the same). That update changes neither the
 * API's fields nor `version`, and the change feed drops it.
 *
 * Returns the post after the change, or null when the post does not exist.
 */
export async function applyDelta(
  ctx: Context,
  postId: string,
  delta: Delta,
  expected?: { score: number; createdAt: string },
): Promise<StoredPost | null> {
  const up = delta.upvotes ?? 0;
  const down = delta.downvotes ?? 0;
  const rankMoves = up !== 0 || down !== 0;
  const update = ctx.db.run<WriteResult<PostDoc>>(
    ctx
      .table('posts')
      .get(postId)
      .update(
        (post: Term) => {
          const upvotes = post('upvotes').add(up);
          const downvotes = post('downvotes').add(down);
          const score = upvotes.sub(downvotes);
          const change: Record<string, Term> = {
            upvotes,
            downvotes,
            score,
            commentCount: post('commentCount').add(delta.comments ?? 0),
            version: post('version').add(1),
          };
          if (rankMoves && expected) {
            const asExpected = score.eq(expected.score);
            change.hot = r.branch(asExpected, rankOf(expected.score, expected.createdAt), post('hot'));
            change.rankedScore = r.branch(asExpected, expected.score, post('rankedScore'));
          }
          return change;
        },
        { ...HARD, returnChanges: true },
      ),
  );
  // The vote or comment is written: if its counters may not be, the background recount repairs them.
  const result = await update.catch((error: unknown) => {
    ctx.suspects.add(postId);
    throw error;
  });
  const doc = result.changes?.[0]?.new_val ?? null;
  if (doc === null) return null;
  if (doc.rankedScore !== doc.score) await rerank(ctx, doc);
  return toPost(doc);
}

/** Sets the hot rank for the post's score, if the score is still the one read. */
export async function rerank(ctx: Context, doc: Pick<PostDoc, 'id' | 'score' | 'createdAt'>): Promise<void> {
  await ctx.db.run(
    ctx
      .table('posts')
      .get(doc.id)
      .update(
        (post: Term) => r.branch(post('score').eq(doc.score), { hot: rankOf(doc.score, doc.createdAt), rankedScore: doc.score }, {}),
        HARD,
      ),
  );
}
