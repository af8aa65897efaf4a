import type { StoredPost, Vote } from '../store.js';
import { accountGone } from '../store-error.js';
import { applyDelta, type Delta } from './counters.js';
import { type PostDoc, toPost, type VoteDoc, voteId } from './documents.js';
import { storedId } from './ids.js';
import { HARD, type Term, type WriteResult } from './reql.js';
import type { Context } from './tables.js';
import { userExists } from './users.js';

/** How the counters move when a vote goes from `from` to `to`. */
function deltaOf(from: Vote, to: Vote): Delta {
  return { upvotes: Number(to === 1) - Number(from === 1), downvotes: Number(to === -1) - Number(from === -1) };
}

/**
 * Sets the vote in two atomic steps: the vote document is replaced by key
 * (returning the vote it replaced, so concurrent repeats of one vote count
 * once), then the post's counters move by the difference (counters.ts).
 * The account is checked again afterwards: a deletion of the account that
 * swept its votes before this one existed is answered by retracting it.
 * One account's votes on one post run one at a time on a node: a repeat
 * that found the vote already there answers with the post the first one's
 * counters moved, not the post as it was between the two steps.
 */
export async function setVote(ctx: Context, postId: string, login: string, vote: Vote): Promise<StoredPost | null> {
  const id = storedId(postId);
  if (id === undefined) return null;
  return oneAtATime(ctx.voting, voteId(id, login), () => writeVote(ctx, id, login, vote));
}

/** Runs `task` once the task queued under `key` before it has settled. */
async function oneAtATime<T>(queue: Map<string, Promise<unknown>>, key: string, task: () => Promise<T>): Promise<T> {
  const run = (queue.get(key) ?? Promise.resolve()).then(task, task);
  const settled = run.catch(() => undefined);
  queue.set(key, settled);
  try {
    return await run;
  } finally {
    if (queue.get(key) === settled) queue.delete(key);
  }
}

async function writeVote(ctx: Context, id: string, login: string, vote: Vote): Promise<StoredPost | null> {
  // Reads that do not depend on each other go together: a vote's cost is its round trips.
  const voterExists = () => (vote === 0 ? Promise.resolve(true) : userExists(ctx, login));
  const [post, voter] = await Promise.all([ctx.db.run<PostDoc | null>(ctx.table('posts').get(id)), voterExists()]);
  // A hidden post takes no votes (as on the SQL stores): checked before writing, as a hide just after would be.
  if (post === null || post.hidden) return null;
  if (!voter) throw accountGone();
  const key = voteId(id, login);
  const replacement: VoteDoc | null = vote === 0 ? null : { id: key, postId: id, login, value: vote };
  const written = await ctx.db
    .run<WriteResult<VoteDoc>>(
      ctx
        .table('votes')
        .get(key)
        .replace(replacement, { ...HARD, returnChanges: 'always' }),
    )
    .catch((error: unknown) => {
      // A write whose answer was lost may have landed: a retry would then find the vote already
      // there and move no counter, so the background recount checks the post.
      ctx.suspects.add(id);
      throw error;
    });
  const previous: Vote = written.changes?.[0]?.old_val?.value ?? 0;
  if (previous === vote) return toPost(await ctx.db.run<PostDoc | null>(ctx.table('posts').get(id)));
  const delta = deltaOf(previous, vote);
  const expectedScore = post.score + (delta.upvotes ?? 0) - (delta.downvotes ?? 0);
  // The account is read again once the vote is written, beside the counters' update.
  const [updated, stillVoter] = await Promise.all([
    applyDelta(ctx, id, delta, { score: expectedScore, createdAt: post.createdAt }),
    voterExists(),
  ]);
  if (updated === null) {
    // The post was deleted meanwhile, maybe after its votes were swept.
    await ctx.db.run(ctx.table('votes').get(key).delete(HARD));
    return null;
  }
  if (!stillVoter) {
    await retractVotes(ctx, ctx.table('votes').get(key));
    throw accountGone();
  }
  return updated;
}

export async function getVotes(ctx: Context, login: string, postIds: string[]): Promise<Map<string, Vote>> {
  const keys = postIds.flatMap((postId) => {
    const id = storedId(postId);
    return id === undefined ? [] : [voteId(id, login)];
  });
  if (keys.length === 0) return new Map();
  const rows = await ctx.db.run<VoteDoc[]>(
    ctx
      .table('votes')
      .getAll(...keys)
      .coerceTo('array'),
  );
  return new Map(rows.map((row) => [row.postId, row.value]));
}

/** Deletes the selected votes and takes each one actually deleted off its post's counters, one update per post. */
export async function retractVotes(ctx: Context, selection: Term): Promise<VoteDoc[]> {
  const result = await ctx.db.run<WriteResult<VoteDoc>>(selection.delete({ ...HARD, returnChanges: true }));
  const deleted = (result.changes ?? []).flatMap((change) => (change.old_val ? [change.old_val] : []));
  await Promise.all([...retractionDeltas(deleted)].map(([postId, delta]) => applyDelta(ctx, postId, delta)));
  return deleted;
}

/** The counter changes that retracting `votes` makes, per post. */
export function retractionDeltas(votes: VoteDoc[]): Map<string, Required<Delta>> {
  const deltas = new Map<string, Required<Delta>>();
  for (const vote of votes) {
    const delta = deltas.get(vote.postId) ?? { upvotes: 0, downvotes: 0, comments: 0 };
    if (vote.value === 1) delta.upvotes--;
    else delta.downvotes--;
    deltas.set(vote.postId, delta);
  }
  return deltas;
}
