import { countByPost, removeThreads } from './comments.js';
import { applyDelta, type Delta } from './counters.js';
import type { UserDoc, VoteDoc } from './documents.js';
import { deleteKeysOf } from './idempotency.js';
import { forgetRecipient } from './notifications.js';
import { handOverPagePosts } from './pages.js';
import { removePosts } from './posts.js';
import { HARD, type WriteResult } from './reql.js';
import type { Context } from './tables.js';
import { retractionDeltas } from './votes.js';

/**
 * Removes the account first, so that every write of it that has not
 * checked the account yet fails `account-gone`, and every write that has
 * (written before the account went) is found by the sweeps that follow:
 * its votes, its comments (with their replies), its posts (with their
 * comments and votes; a page post others commented on passes to the oldest
 * of them instead), its idempotency keys. Each other post touched moves once,
 * by the sum of what was removed from it.
 */
export async function deleteUser(ctx: Context, login: string): Promise<boolean> {
  const removed = await ctx.db.run<WriteResult<UserDoc>>(
    ctx
      .table('users')
      .get(login)
      .delete({ ...HARD, returnChanges: true }),
  );
  if (removed.deleted !== 1) return false;
  const votes = await ctx.db.run<WriteResult<VoteDoc>>(
    ctx
      .table('votes')
      .getAll(login, { index: 'login' })
      .delete({ ...HARD, returnChanges: true }),
  );
  const comments = await removeThreads(ctx, ctx.table('comments').getAll(login, { index: 'author' }));
  // After its comments (with their replies) went, so that the heir is one who still has a say there.
  // A crash before removePosts leaves its remaining posts behind, as a crash anywhere here does.
  await handOverPagePosts(ctx, login);
  await removePosts(ctx, ctx.table('posts').getAll(login, { index: 'author' }));
  const deltas = retractionDeltas((votes.changes ?? []).flatMap((change) => (change.old_val ? [change.old_val] : [])));
  for (const [postId, n] of countByPost(comments)) {
    const delta: Required<Delta> = deltas.get(postId) ?? { upvotes: 0, downvotes: 0, comments: 0 };
    delta.comments -= n;
    deltas.set(postId, delta);
  }
  // A post deleted above (or meanwhile) is skipped.
  await Promise.all([...deltas].map(([postId, delta]) => applyDelta(ctx, postId, delta)));
  await deleteKeysOf(ctx, login);
  await forgetRecipient(ctx, login);
  const account = removed.changes?.[0]?.old_val;
  // Its tokens are void with it; a later account with its login has another id.
  if (account) await ctx.db.run(ctx.table('revoked_tokens').getAll(account.id, { index: 'accountId' }).delete(HARD));
  return true;
}
