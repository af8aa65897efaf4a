import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeClients, openClients } from '../support/clients.mjs';
import { createAccounts, createPosts, startForum, tempDir } from '../support/forum.mjs';
import { requestsPerSecond } from '../support/load.mjs';
import { startPostgres } from '../support/postgres.mjs';
import { spawnServer } from '../support/processes.mjs';
import { row } from '../support/report.mjs';
import { median } from '../support/stats.mjs';

const BARE_UPDATES = fileURLToPath(new URL('../servers/bare-updates.mjs', import.meta.url));
const STORE_VOTES = fileURLToPath(new URL('../servers/store-votes.mjs', import.meta.url));
const ACCOUNTS = 1_000;
const POSTS = 100;

/** Single-row updates per second of bare `pg` or PGlite, in its own process on the servers' core. */
async function bareUpdates(env) {
  const server = spawnServer('bare updates', process.execPath, [BARE_UPDATES], { env: { ...process.env, ...env } });
  const code = await server.exited;
  if (code !== 0) throw new Error(`bare updates exited with ${code}: ${server.output()}`);
  return JSON.parse(server.stdout()).perSecond;
}

/**
 * Votes per second of a node's store alone (`setVote` by 50 callers, the
 * change feed read), in its own process on the servers' core; see
 * servers/store-votes.mjs.
 */
async function storeVotes(env) {
  const server = spawnServer('store votes', process.execPath, [STORE_VOTES], { env: { ...process.env, ...env } });
  const code = await server.exited;
  if (code !== 0) throw new Error(`store votes exited with ${code}: ${server.output()}`);
  return JSON.parse(server.stdout()).perSecond;
}

/**
 * A node with 1,000 accounts and 100 posts, one subscribed client so the
 * change feed is read and relayed, and `votes(seconds)`: votes per second
 * through HTTP at autocannon -c 50. The n-th vote is by account
 * (101·⌊n/100⌋ + n) mod 1000 on post n mod 100, so that each of the 100,000
 * (account, post) pairs votes once (up, then down the next round): every
 * vote changes a post, and concurrent votes seldom wait on the same lock.
 */
export async function votingForum(options) {
  const forum = await startForum(options);
  const tokens = await createAccounts(forum.url, ACCOUNTS, 'voter');
  const posts = await createPosts(forum.url, tokens[0], POSTS);
  const [watcher] = await openClients(forum.url, 1, { subscribe: { topic: 'posts' } });
  let changes = 0;
  watcher.on('poststream', () => {
    changes += 1;
  });
  // It asks for batches (openClients), as the SDK does.
  watcher.on('postpatches', (batch) => {
    changes += batch.length;
  });
  let n = 0;
  const setupRequest = (request) => {
    const a = Math.floor(n / POSTS);
    const direction = Math.floor(n / (POSTS * ACCOUNTS)) % 2 === 0 ? 'upvotes' : 'downvotes';
    const token = tokens[(101 * a + n) % ACCOUNTS];
    const post = posts[n % POSTS];
    n += 1;
    return { ...request, method: 'POST', path: `/api/posts/${post}/${direction}`, headers: { authorization: `Bearer ${token}` } };
  };
  return {
    votes: (seconds) => requestsPerSecond({ url: forum.url, duration: seconds, requests: [{ setupRequest }] }),
    changes: () => changes,
    watcher,
    posts,
    tokens,
    async stop() {
      closeClients([watcher]);
      await forum.stop();
    },
  };
}

export default {
  name: 'writes',
  describe: [
    'votes per second of the store alone: a node’s store opened as the node opens it, in its own process on the servers’ core, `setVote` called by 50 callers over 100 posts and 1,000 accounts (each vote changing its post), with a subscriber reading the change feed of posts (the run fails when it delivers nothing); PostgreSQL (the node’s `pg` pool of 10) and embedded, each run on a new database. Baseline: bare `pg` (pool of 10, 50 callers) or PGlite (one connection) in its own process on the servers’ core executing `UPDATE … SET upvotes = upvotes + 1, version = version + 1 WHERE id = $1` over a 100-row table. 5 s per run (2 s with --quick). The same votes through HTTP: see `votes`.',
  ],
  async run({ pairs, quick }) {
    const seconds = quick ? 2 : 5;
    const scratch = await tempDir('writes');
    const postgres = await startPostgres();
    const samples = { bare: [], storePostgres: [], bareEmbedded: [], storeEmbedded: [] };
    let run = 0;
    const store = {
      postgres: async () =>
        storeVotes({
          STORE: 'postgres',
          DATABASE_URL: await postgres.createDatabase(`store_${run++}`),
          DURATION_MS: String(seconds * 1000),
        }),
      embedded: () =>
        storeVotes({ STORE: 'embedded', DATA_DIR: path.join(scratch.dir, `store-${run++}`), DURATION_MS: String(seconds * 1000) }),
    };
    try {
      const bareUrl = await postgres.createDatabase('bare');
      const bare = {
        postgres: () => bareUpdates({ DATABASE_URL: bareUrl, DURATION_MS: String(seconds * 1000) }),
        embedded: () => bareUpdates({ DATA_DIR: path.join(scratch.dir, 'bare-pglite'), DURATION_MS: String(seconds * 1000) }),
      };
      for (let pair = 0; pair < pairs; pair += 1) {
        samples.bare.push(await bare.postgres());
        samples.storePostgres.push(await store.postgres());
        samples.bareEmbedded.push(await bare.embedded());
        samples.storeEmbedded.push(await store.embedded());
      }
    } finally {
      await postgres.stop();
      await scratch.remove();
    }
    return [
      row('writes', 'votes/s of the store, change feed attached, postgres', 'votes/s', {
        baseline: median(samples.bare),
        ours: median(samples.storePostgres),
        target: '≥ 5,000/s',
        met: ({ ours }) => ours >= 5_000,
      }),
      row('writes', 'votes/s of the store, change feed attached, embedded', 'votes/s', {
        baseline: median(samples.bareEmbedded),
        ours: median(samples.storeEmbedded),
        target: '≥ 1,500/s',
        met: ({ ours }) => ours >= 1_500,
      }),
    ];
  },
};
