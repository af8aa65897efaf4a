import { setTimeout as delay } from 'node:timers/promises';
import { LONG_QUERY_MS } from './connection.js';
import { type PostDoc, rankOf } from './documents.js';
import { HARD, r, type Term } from './reql.js';
import type { Context } from './tables.js';

/** A vote or comment whose counter update is in flight is done within this; a difference that outlasts it is real. */
const SETTLE_MS = 250;

export interface RecountOptions {
  /** The pause between finding a difference and confirming it (default 250 ms). */
  settleMs?: number;
  /** Ends the pause early, failing the recount. */
  signal?: AbortSignal;
}

interface Counts {
  upvotes: number;
  downvotes: number;
  commentCount: number;
}

const sameCounts = (a: Counts, b: Counts) => a.upvotes === b.upvotes && a.downvotes === b.downvotes && a.commentCount === b.commentCount;

type PostCounters = Pick<PostDoc, 'id' | 'createdAt' | 'version'> & Counts;

/** What the votes and comments of the posts say the counters should be. */
async function countFor(ctx: Context, postIds: string[] | undefined): Promise<Map<string, Counts>> {
  const votes = postIds ? ctx.table('votes').getAll(r.args(postIds), { index: 'postId' }) : ctx.table('votes');
  const comments = postIds ? ctx.table('comments').getAll(r.args(postIds), { index: 'postId' }) : ctx.table('comments');
  const [voteGroups, commentGroups] = await Promise.all([
    ctx.db.run<{ group: [string, number]; reduction: number }[]>(
      votes.group('postId', 'value').count().ungroup(),
      undefined,
      LONG_QUERY_MS,
    ),
    ctx.db.run<{ group: string; reduction: number }[]>(comments.group('postId').count().ungroup(), undefined, LONG_QUERY_MS),
  ]);
  const counts = new Map<string, Counts>();
  const of = (id: string) => {
    const entry = counts.get(id) ?? { upvotes: 0, downvotes: 0, commentCount: 0 };
    counts.set(id, entry);
    return entry;
  };
  for (const {
    group: [postId, value],
    reduction,
  } of voteGroups) {
    if (value === 1) of(postId).upvotes = reduction;
    else of(postId).downvotes = reduction;
  }
  for (const { group: postId, reduction } of commentGroups) of(postId).commentCount = reduction;
  return counts;
}

async function readCounters(ctx: Context, postIds: string[] | undefined): Promise<PostCounters[]> {
  const posts: Term = postIds ? ctx.table('posts').getAll(r.args(postIds)) : ctx.table('posts');
  return ctx.db.run<PostCounters[]>(
    posts.pluck('id', 'createdAt', 'version', 'upvotes', 'downvotes', 'commentCount').coerceTo('array'),
    undefined,
    LONG_QUERY_MS,
  );
}

/** Posts whose counters differ from their votes and comments. */
async function differing(ctx: Context, postIds: string[] | undefined): Promise<{ post: PostCounters; counts: Counts }[]> {
  const [posts, counts] = await Promise.all([readCounters(ctx, postIds), countFor(ctx, postIds)]);
  return posts.flatMap((post) => {
    const want = counts.get(post.id) ?? { upvotes: 0, downvotes: 0, commentCount: 0 };
    return sameCounts(post, want) ? [] : [{ post, counts: want }];
  });
}

/**
 * Recomputes the counters (and the rank) of the given posts, or of every
 * post, from their votes and comments, repairing what a crash between a
 * vote's two steps left behind; a repaired post's `version` goes up, so the
 * change feed carries it. Counts taken while a vote is between its steps
 * would be off by that vote, and a repair then followed by that vote's
 * second step would count it twice; so a post is only repaired when, after
 * a pause, it differs exactly as before: the same post version, the same
 * counts of its votes and comments (no vote or comment came or went in
 * between), and nothing changes it before the write (its `version` guards
 * the write). What changed meanwhile is left to a later recount. Returns
 * how many posts were repaired.
 */
export async function recount(ctx: Context, postIds?: string[], options: RecountOptions = {}): Promise<number> {
  const suspects = await differing(ctx, postIds);
  if (suspects.length === 0) return 0;
  await delay(options.settleMs ?? SETTLE_MS, undefined, { signal: options.signal, ref: false });
  const before = new Map(suspects.map((suspect) => [suspect.post.id, suspect]));
  const confirmed = (
    await differing(
      ctx,
      suspects.map(({ post }) => post.id),
    )
  ).filter(({ post, counts }) => {
    const earlier = before.get(post.id);
    return earlier !== undefined && earlier.post.version === post.version && sameCounts(earlier.counts, counts);
  });
  let repaired = 0;
  for (const { post, counts } of confirmed) {
    const score = counts.upvotes - counts.downvotes;
    const result = await ctx.db.run<{ replaced: number }>(
      ctx
        .table('posts')
        .get(post.id)
        .update(
          (row: Term) =>
            r.branch(
              row('version').eq(post.version),
              {
                ...counts,
                score,
                hot: rankOf(score, post.createdAt),
                rankedScore: score,
                version: row('version').add(1),
              },
              {},
            ),
          HARD,
        ),
    );
    repaired += result.replaced;
  }
  return repaired;
}
