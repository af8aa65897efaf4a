import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { api, createAccounts, createPosts, startForum, tempDir } from '../support/forum.mjs';
import { requestsPerSecond } from '../support/load.mjs';
import { startPostgres } from '../support/postgres.mjs';
import { answers200, freePort, spawnServer, until } from '../support/processes.mjs';
import { row } from '../support/report.mjs';
import { median } from '../support/stats.mjs';

const BARE_EXPRESS = fileURLToPath(new URL('../servers/bare-express.mjs', import.meta.url));
const STORES = ['embedded', 'postgres'];

/** 100 posts, 30 comments on the first, a few votes so that the orders differ. */
async function seed(url) {
  const [token, ...voters] = await createAccounts(url, 6, 'reader');
  const posts = await createPosts(url, token, 100);
  for (let i = 0; i < 30; i += 1)
    await api(url, 'PUT', `/comments/${posts[0]}`, { token, body: { text: `A comment of a usual length, number ${i}.` } });
  for (const [i, voter] of voters.entries()) {
    for (const post of posts.slice(i * 7, i * 7 + 20)) await api(url, 'POST', `/posts/${post}/upvotes`, { token: voter });
  }
  return posts;
}

/** Bare Express 5 serving `body` (a JSON page the size of ours) on every GET. */
async function startBareExpress(dir, body) {
  const file = path.join(dir, `page-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, body);
  const port = await freePort();
  const server = spawnServer('bare express', process.execPath, [BARE_EXPRESS], {
    env: { ...process.env, PORT: String(port), BODY_FILE: file },
  });
  const url = `http://127.0.0.1:${port}`;
  await until(server, () => answers200(`${url}/readyz`));
  return { url, stop: () => server.stop() };
}

export default {
  name: 'reads',
  describe: [
    '2xx answers per second from autocannon -c 50 (keep-alive, in the load process) on `GET /api/posts?limit=30&sort=hot|new|top` and `GET /api/comments/{pid}` (30 comments) of a node with 100 posts, embedded store and PostgreSQL, anonymous; baseline: bare Express 5 answering the same path with a fixed JSON page of the same bytes (the node’s own answer, captured first). 3 s per run (2 s with --quick), after a 1 s warm-up of each server.',
  ],
  async run({ pairs, quick }) {
    const seconds = quick ? 2 : 3;
    const scratch = await tempDir('reads');
    const postgres = await startPostgres();
    const forums = {};
    const rows = [];
    try {
      forums.embedded = await startForum({ store: 'embedded', dataDir: path.join(scratch.dir, 'embedded') });
      forums.postgres = await startForum({
        store: 'postgres',
        dataDir: path.join(scratch.dir, 'pg'),
        databaseUrl: await postgres.createDatabase('reads'),
      });
      const posts = {};
      for (const store of STORES) posts[store] = await seed(forums[store].url);
      const routes = [
        { measure: 'GET /api/posts?limit=30&sort=hot', path: () => '/api/posts?limit=30&sort=hot' },
        { measure: 'GET /api/posts?limit=30&sort=new', path: () => '/api/posts?limit=30&sort=new' },
        { measure: 'GET /api/posts?limit=30&sort=top', path: () => '/api/posts?limit=30&sort=top' },
        { measure: 'GET /api/comments/{pid} (30 comments)', path: (store) => `/api/comments/${posts[store][0]}` },
      ];
      for (const route of routes) {
        const body = await (await fetch(`${forums.embedded.url}${route.path('embedded')}`)).text();
        const bare = await startBareExpress(scratch.dir, body);
        try {
          const targets = {
            baseline: `${bare.url}${route.path('embedded')}`,
            ...Object.fromEntries(STORES.map((store) => [store, `${forums[store].url}${route.path(store)}`])),
          };
          const samples = { baseline: [], embedded: [], postgres: [] };
          for (const url of Object.values(targets)) await requestsPerSecond({ url, duration: 1 });
          for (let pair = 0; pair < pairs; pair += 1) {
            for (const [name, url] of Object.entries(targets)) samples[name].push(await requestsPerSecond({ url, duration: seconds }));
          }
          for (const store of STORES) {
            rows.push(
              row('reads', `${route.measure}, ${store} (${(body.length / 1024).toFixed(1)} KiB)`, 'req/s', {
                baseline: median(samples.baseline),
                ours: median(samples[store]),
                target: '≥ 0.8×',
                met: ({ ratio }) => ratio >= 0.8,
              }),
            );
          }
        } finally {
          await bare.stop();
        }
      }
    } finally {
      for (const forum of Object.values(forums)) await forum.stop();
      await postgres.stop();
      await scratch.remove();
    }
    return rows;
  },
};
