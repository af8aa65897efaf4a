import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/forum.mjs';
import { requestsPerSecond } from '../support/load.mjs';
import { startPostgres } from '../support/postgres.mjs';
import { answers200, freePort, spawnServer, until } from '../support/processes.mjs';
import { row } from '../support/report.mjs';
import { median } from '../support/stats.mjs';
import { votingForum } from './writes.mjs';

const BARE_VOTES = fileURLToPath(new URL('../servers/bare-votes.mjs', import.meta.url));
const POSTS = 100;

/**
 * Bare Express 5 voting through bare `pg` (`databaseUrl`) or PGlite (`dataDir`)
 * on the servers' core, and `votes(seconds)` as the forum's: the same request
 * shape and the same load, the n-th vote on post n mod 100.
 */
async function bareVotes({ databaseUrl, dataDir }) {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: dataDir }) };
  const server = spawnServer('bare votes', process.execPath, [BARE_VOTES], { env });
  const url = `http://127.0.0.1:${port}`;
  await until(server, () => answers200(`${url}/readyz`));
  let n = 0;
  const setupRequest = (request) => {
    const direction = Math.floor(n / (POSTS * 1_000)) % 2 === 0 ? 'upvotes' : 'downvotes';
    const post = (n % POSTS) + 1;
    n += 1;
    return { ...request, method: 'POST', path: `/api/posts/${post}/${direction}`, headers: { authorization: 'Bearer unused' } };
  };
  return {
    votes: (seconds) => requestsPerSecond({ url, duration: seconds, requests: [{ setupRequest }] }),
    stop: () => server.stop(),
  };
}

export default {
  name: 'votes',
  describe: [
    'votes per second through HTTP: 2xx answers per second of one node to `POST /api/posts/{pid}/upvotes` (then downvotes) by autocannon -c 50 (in the load process), each by one of 1,000 accounts (its bearer token) on one of 100 posts and each changing the post, with the change feed read and relayed to a subscribed client; PostgreSQL and embedded. Baseline: bare Express 5 answering the same requests by `UPDATE … SET upvotes = upvotes + 1, version = version + 1 WHERE id = $1 RETURNING …` over a 100-row table through bare `pg` (pool of 10) or PGlite, and the row as JSON; no authentication, no rate limit, no change feed. 5 s per run (2 s with --quick), after a 5 s warm-up of each server (3 s with --quick).',
  ],
  async run({ pairs, quick }) {
    const seconds = quick ? 2 : 5;
    const scratch = await tempDir('votes');
    const postgres = await startPostgres();
    const servers = {};
    const samples = { barePostgres: [], postgres: [], bareEmbedded: [], embedded: [] };
    try {
      servers.barePostgres = await bareVotes({ databaseUrl: await postgres.createDatabase('bare') });
      servers.bareEmbedded = await bareVotes({ dataDir: path.join(scratch.dir, 'bare-pglite') });
      servers.postgres = await votingForum({
        store: 'postgres',
        dataDir: path.join(scratch.dir, 'pg'),
        databaseUrl: await postgres.createDatabase('votes'),
      });
      servers.embedded = await votingForum({ store: 'embedded', dataDir: path.join(scratch.dir, 'embedded') });
      // A new server takes seconds to reach its pace (bare Express through pg went from 150 to 1,800 votes/s over 10 s).
      for (const server of Object.values(servers)) await server.votes(quick ? 3 : 5);
      for (let pair = 0; pair < pairs; pair += 1) {
        for (const name of ['barePostgres', 'postgres', 'bareEmbedded', 'embedded']) samples[name].push(await servers[name].votes(seconds));
      }
      for (const store of ['postgres', 'embedded']) {
        if (servers[store].changes() === 0) throw new Error(`no change reached the subscribed client (${store})`);
      }
    } finally {
      for (const server of Object.values(servers)) await server.stop();
      await postgres.stop();
      await scratch.remove();
    }
    return ['postgres', 'embedded'].map((store) =>
      row('votes', `votes/s through HTTP, change feed attached, ${store}`, 'votes/s', {
        baseline: median(samples[store === 'postgres' ? 'barePostgres' : 'bareEmbedded']),
        ours: median(samples[store]),
      }),
    );
  },
};
