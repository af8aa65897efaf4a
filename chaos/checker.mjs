// After a round: every acknowledged write is in the database, counters equal
// a recount of the votes (on RethinkDB, once its background repairs ran),
// every client's views equal the database within the convergence limit, and
// no client saw a change twice.

import { sleep } from './processes.mjs';

/**
 * Acknowledged writes the database does not reflect. `stored`: the
 * database's snapshot (posts, comments, votes), as each store's `snapshot()` reads it.
 */
function lostWrites(stored, ledger) {
  const lost = [];
  const posts = new Set(stored.posts.map((row) => row.id));
  const comments = new Set(stored.comments.map((row) => row.id));
  const votes = new Map(stored.votes.map((row) => [`${row.login} ${row.postId}`, row.value]));
  for (const [id, post] of ledger.posts) {
    if (post.state === 'live' && !posts.has(id)) lost.push(`post ${id} acknowledged but missing`);
    if (post.state === 'deleted' && posts.has(id)) lost.push(`post ${id} deleted (acknowledged) but present`);
  }
  const postGoneOrMaybe = (postId) => ledger.posts.get(postId)?.state !== 'live';
  for (const [id, comment] of ledger.comments) {
    if (postGoneOrMaybe(comment.postId)) continue;
    if (comment.state === 'live' && !comments.has(id)) lost.push(`comment ${id} acknowledged but missing`);
    if (comment.state === 'deleted' && comments.has(id)) lost.push(`comment ${id} deleted (acknowledged) but present`);
  }
  for (const [key, vote] of ledger.votes) {
    if (!vote.certain || postGoneOrMaybe(vote.postId)) continue;
    const stored = votes.get(key) ?? 0;
    if (stored !== vote.value) lost.push(`vote ${key} = ${vote.value} acknowledged, database has ${stored}`);
  }
  return lost;
}

/** Posts whose counters differ from a recount of their votes and comments. */
function counterMismatches(stored) {
  const count = new Map(stored.posts.map((post) => [post.id, { upvotes: 0, downvotes: 0, commentCount: 0 }]));
  for (const vote of stored.votes) {
    const counted = count.get(vote.postId);
    if (counted && vote.value === 1) counted.upvotes += 1;
    if (counted && vote.value === -1) counted.downvotes += 1;
  }
  for (const comment of stored.comments) {
    const counted = count.get(comment.postId);
    if (counted) counted.commentCount += 1;
  }
  return stored.posts.filter((post) => {
    const counted = count.get(post.id);
    return post.upvotes !== counted.upvotes || post.downvotes !== counted.downvotes || post.commentCount !== counted.commentCount;
  });
}

const postKey = (p) => `${p.id}@${p.version}:${p.upvotes}/${p.downvotes}/${p.commentCount}`;
const commentKey = (c) => `${c.id}@${c.version}`;

/** What every client should show: the database's posts and the pinned posts' comments. */
function databaseViews(stored, pinned) {
  const comments = new Map(
    pinned.map((id) => [
      id,
      stored.comments
        .filter((comment) => comment.postId === id)
        .map(commentKey)
        .sort(),
    ]),
  );
  return { posts: stored.posts.map(postKey).sort(), comments };
}

/** How a client's views differ from the database, or undefined when they do not. */
function difference(client, expected) {
  const diff = (have, want) => {
    const extra = have.filter((key) => !want.includes(key));
    const missing = want.filter((key) => !have.includes(key));
    return extra.length + missing.length === 0
      ? undefined
      : `${extra.length} extra, ${missing.length} missing (${[...extra, ...missing].slice(0, 2).join(', ')})`;
  };
  const posts = client.posts.items === undefined ? 'no posts yet' : diff(client.posts.items.map(postKey), expected.posts);
  if (posts) return `posts: ${posts}`;
  for (const [id, want] of expected.comments) {
    const items = client.comments.get(id).items;
    const comments = items === undefined ? 'none yet' : diff(items.map(commentKey), want);
    if (comments) return `comments of ${id}: ${comments}`;
  }
  return undefined;
}

/**
 * Waits up to `limitMs` for every client to show the database; resolves to
 * the time it took, or undefined (with the clients that differ) when it did not happen.
 */
async function convergence(stored, workload, limitMs) {
  const started = Date.now();
  const expected = databaseViews(stored, workload.pinned);
  for (;;) {
    const behind = workload.clients.filter((client) => difference(client, expected) !== undefined);
    if (behind.length === 0) return { ms: Date.now() - started, behind: [] };
    if (Date.now() - started > limitMs)
      return {
        ms: undefined,
        behind: behind.map(
          (client) =>
            `${client.login} (live ${client.forum.live.status}; ${workload.pinned.map((id) => `comments of ${id} ${client.forum.live.comments(id).status}`).join(', ')}; ${difference(client, expected)})`,
        ),
      };
    await sleep(50);
  }
}

/**
 * The database once its counters equal a recount, or as it is after
 * `database.countersSettleMs` (0 on PostgreSQL, whose counters move in the
 * vote's transaction; RethinkDB repairs a post whose counter update failed
 * in the background), with the time that took.
 */
async function settledSnapshot(database) {
  const started = Date.now();
  for (;;) {
    const stored = await database.snapshot();
    if (counterMismatches(stored).length === 0 || Date.now() - started >= database.countersSettleMs) {
      return { stored, countersMs: Date.now() - started };
    }
    await sleep(250);
  }
}

/** Runs every check against `database` (its `snapshot()`); resolves to the round's figures and failures. */
export async function check(database, workload, { limitMs = 10_000 } = {}) {
  const { stored, countersMs } = await settledSnapshot(database);
  const lost = lostWrites(stored, workload.ledger);
  const counters = counterMismatches(stored);
  const converged = await convergence(stored, workload, limitMs);
  const duplicates = workload.clients.reduce((sum, client) => sum + client.duplicates, 0);
  const failures = [
    ...lost,
    ...counters.map((row) => `post ${row.id}: counters differ from the recount`),
    ...(converged.ms === undefined ? [`clients not equal to the database after ${limitMs} ms: ${converged.behind.join(', ')}`] : []),
    ...(duplicates > 0 ? [`${duplicates} changes seen twice`] : []),
  ];
  return { lost: lost.length, counterMismatches: counters.length, countersMs, convergeMs: converged.ms, duplicates, failures };
}
