// After a round: every acknowledged write is in the database, counters equal
// a recount of the votes, every client's views equal the database within the
// convergence limit, and no client saw a change twice.

import { sleep } from './processes.mjs';

/** Acknowledged writes the database does not reflect. */
async function lostWrites(db, ledger) {
  const lost = [];
  const posts = new Set((await db.query('SELECT id::text AS id FROM posts')).map((row) => row.id));
  const comments = new Set((await db.query('SELECT id::text AS id FROM comments')).map((row) => row.id));
  const votes = new Map(
    (await db.query('SELECT login, post_id::text AS post_id, value FROM votes')).map((r) => [`${r.login} ${r.post_id}`, r.value]),
  );
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
async function counterMismatches(db) {
  return db.query(`
    SELECT p.id::text AS id FROM posts p
     WHERE p.upvotes <> (SELECT count(*) FROM votes v WHERE v.post_id = p.id AND v.value = 1)
        OR p.downvotes <> (SELECT count(*) FROM votes v WHERE v.post_id = p.id AND v.value = -1)
        OR p.comment_count <> (SELECT count(*) FROM comments c WHERE c.post_id = p.id)`);
}

const postKey = (p) => `${p.id}@${p.version}:${p.upvotes}/${p.downvotes}/${p.commentCount}`;
const commentKey = (c) => `${c.id}@${c.version}`;

/** What every client should show: the database's posts and the pinned posts' comments. */
async function databaseViews(db, pinned) {
  const posts = await db.query(
    `SELECT id::text AS id, version::int AS version, upvotes, downvotes, comment_count AS "commentCount" FROM posts`,
  );
  const comments = new Map();
  for (const id of pinned) {
    comments.set(
      id,
      (await db.query('SELECT id::text AS id, version::int AS version FROM comments WHERE post_id = $1', [id])).map(commentKey).sort(),
    );
  }
  return { posts: posts.map(postKey).sort(), comments };
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
async function convergence(db, workload, limitMs) {
  const started = Date.now();
  const expected = await databaseViews(db, workload.pinned);
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

/** Runs every check; resolves to the round's figures and failures. */
export async function check(db, workload, { limitMs = 10_000 } = {}) {
  const lost = await lostWrites(db, workload.ledger);
  const counters = await counterMismatches(db);
  const converged = await convergence(db, workload, limitMs);
  const duplicates = workload.clients.reduce((sum, client) => sum + client.duplicates, 0);
  const failures = [
    ...lost,
    ...counters.map((row) => `post ${row.id}: counters differ from the recount`),
    ...(converged.ms === undefined ? [`clients not equal to the database after ${limitMs} ms: ${converged.behind.join(', ')}`] : []),
    ...(duplicates > 0 ? [`${duplicates} changes seen twice`] : []),
  ];
  return { lost: lost.length, counterMismatches: counters.length, convergeMs: converged.ms, duplicates, failures };
}
