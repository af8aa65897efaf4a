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

interface Compared {
  post: PostCounters;
  counts: Counts;
  /** The post's counters are what its votes and comments say. */
  equal: boolean;
}

/** Each post (of `postIds`, or every post) beside what its votes and comments say its counters should be. */
async function compare(ctx: Context, postIds: string[] | undefined): Promise<Map<string, Compared>> {
  const [posts, counts] = await Promise.all([readCounters(ctx, postIds), countFor(ctx, postIds)]);
  return new Map(
    posts.map((post) => {
      const want = counts.get(post.id) ?? { upvotes: 0, downvotes: 0, commentCount: 0 };
      return [post.id, { post, counts: want, equal: sameCounts(post, want) }];
    }),
  );
}

/** What a pass of repairs did: how many posts it repaired, and those it found off but could not confirm. */
export interface RepairPass {
  repaired: number;
  /** Posts that differed and changed before they could be confirmed or repaired: maybe still off (the next pass sees). */
  unsettled: string[];
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
 * the write). The posts and the votes are read side by side, not at one
 * instant, so a vote between the two reads can make a post that is off look
 * right for a moment: a sweep of every post takes equality at its word (the
 * next sweep looks again), but named posts (the suspects of a failed update)
 * are settled only when found the same twice, equal or off. What changed
 * meanwhile is returned as unsettled, for a later pass.
 */
export async function repairCounters(ctx: Context, postIds?: string[], options: RecountOptions = {}): Promise<RepairPass> {
  const first = [...(await compare(ctx, postIds)).values()].filter(({ equal }) => postIds !== undefined || !equal);
  if (first.length === 0) return { repaired: 0, unsettled: [] };
  await delay(options.settleMs ?? SETTLE_MS, undefined, { signal: options.signal, ref: false });
  const second = await compare(
    ctx,
    first.map(({ post }) => post.id),
  );
  const unsettled = new Set<string>();
  const confirmed: Compared[] = [];
  for (const earlier of first) {
    const now = second.get(earlier.post.id);
    // Deleted meanwhile: nothing to repair.
    if (now === undefined) continue;
    if (now.post.version !== earlier.post.version || !sameCounts(now.counts, earlier.counts)) unsettled.add(now.post.id);
    else if (!now.equal) confirmed.push(now);
  }
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
    if (result.replaced === 0) unsettled.add(post.id);
  }
  return { repaired, unsettled: [...unsettled] };
}

/** repairCounters, for what it repaired: how many posts. */
export async function recount(ctx: Context, postIds?: string[], options: RecountOptions = {}): Promise<number> {
  return (await repairCounters(ctx, postIds, options)).repaired;
}
