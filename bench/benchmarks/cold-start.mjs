import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAccounts, createPosts, startForum, tempDir } from '../support/forum.mjs';
import { startPostgres } from '../support/postgres.mjs';
import { answers200, freePort, spawnServer, until } from '../support/processes.mjs';
import { row } from '../support/report.mjs';
import { median } from '../support/stats.mjs';

const BARE_EXPRESS = fileURLToPath(new URL('../servers/bare-express.mjs', import.meta.url));
const BARE_EXPRESS_PGLITE = fileURLToPath(new URL('../servers/bare-express-pglite.mjs', import.meta.url));
const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));
// The npm that runs the bench (`npm run bench`), else the one on PATH.
const NPM = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];

/** Milliseconds from spawning bare Express 5 (with PGlite opening `dataDir` first, when given) to its first 200. */
async function bareExpressStart(dataDir) {
  const port = await freePort();
  const started = performance.now();
  const server = spawnServer('bare express', process.execPath, [dataDir ? BARE_EXPRESS_PGLITE : BARE_EXPRESS], {
    env: { ...process.env, PORT: String(port), ...(dataDir && { DATA_DIR: path.join(dataDir, 'pglite') }) },
  });
  await until(server, () => answers200(`http://127.0.0.1:${port}/readyz`));
  const ms = performance.now() - started;
  await server.stop();
  return ms;
}

/**
 * Milliseconds from `npm start` in `cwd` (with `env` added) to the first 200
 * of `/readyz` on `port`; a first start may build (the forum's prestart), so
 * it may take minutes.
 */
async function npmStart(cwd, port, env) {
  const [command, ...args] = NPM;
  const started = performance.now();
  const server = spawnServer('npm start', command, [...args, 'start'], {
    cwd,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error', ...env },
    group: true,
  });
  await until(server, () => answers200(`http://127.0.0.1:${port}/readyz`), { timeoutMs: 600_000 });
  const ms = performance.now() - started;
  await server.stop('SIGINT');
  return ms;
}

/** `npm start` of bare Express 5, in a package of its own in `dir`. */
async function bareNpmStart(dir) {
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'bare-express-start', private: true, scripts: { start: `node ${JSON.stringify(BARE_EXPRESS)}` } }),
  );
  return npmStart(dir, await freePort(), {});
}

/** `npm start` of this repository (the forum on the embedded store in `dataDir`, and the demo). */
async function forumNpmStart(dataDir) {
  const port = await freePort();
  const thirdParty = await freePort();
  return npmStart(REPOSITORY, port, { DATA_DIR: dataDir, DEMO_THIRD_PARTY_PORT: String(thirdParty) });
}

/** Milliseconds from spawning a forum node to `/readyz` 200; `seed` fills it before it stops. */
async function forumStart(options, seed) {
  const forum = await startForum(options);
  if (seed) {
    const [token] = await createAccounts(forum.url, 1, 'starter');
    await createPosts(forum.url, token, 100);
  }
  await forum.stop();
  return forum.startMs;
}

export default {
  name: 'cold-start',
  describe: [
    'milliseconds from spawning the node process to the first 200 of `GET /readyz` (polled every 10 ms), with an existing data directory (embedded) or database (PostgreSQL) holding the schema, an account and 100 posts, vs bare Express 5 from spawn to its first 200; the embedded node also vs bare Express that first opens PGlite on the same directory with the same settings and runs one query (what of the start comes with PGlite); and with an empty data directory (embedded: the database created on start). And `npm start` in this repository a second time (after a first start that builds whatever changed and creates its data directory), from running the command to `/readyz` 200: npm, the prestart check that finds nothing to build, the embedded node and the demo; baseline: `npm start` of a package whose start script runs bare Express 5.',
  ],
  async run({ pairs }) {
    const scratch = await tempDir('cold');
    const postgres = await startPostgres();
    const samples = { bare: [], barePglite: [], embedded: [], postgres: [], empty: [], bareNpm: [], npm: [] };
    try {
      const existing = { store: 'embedded', dataDir: path.join(scratch.dir, 'existing') };
      const existingPg = {
        store: 'postgres',
        dataDir: path.join(scratch.dir, 'existing-pg'),
        databaseUrl: await postgres.createDatabase('cold'),
      };
      await forumStart(existing, true);
      await forumStart(existingPg, true);
      const bareNpmDir = path.join(scratch.dir, 'bare-npm');
      await mkdir(bareNpmDir);
      const npmDataDir = path.join(scratch.dir, 'npm-start');
      // The first start builds what changed since the last build, if anything, and creates the data directory.
      await forumNpmStart(npmDataDir);
      await bareNpmStart(bareNpmDir);
      for (let pair = 0; pair < pairs; pair += 1) {
        samples.bare.push(await bareExpressStart());
        samples.barePglite.push(await bareExpressStart(existing.dataDir));
        samples.embedded.push(await forumStart(existing));
        samples.postgres.push(await forumStart(existingPg));
        samples.empty.push(await forumStart({ store: 'embedded', dataDir: path.join(scratch.dir, `empty-${pair}`) }));
        samples.bareNpm.push(await bareNpmStart(bareNpmDir));
        samples.npm.push(await forumNpmStart(npmDataDir));
      }
    } finally {
      await postgres.stop();
      await scratch.remove();
    }
    const baseline = median(samples.bare);
    const vsBare = (measure, values) =>
      row('cold start', measure, 'ms', { baseline, ours: median(values), target: '≤ 2×', met: ({ ratio }) => ratio <= 2 });
    return [
      vsBare('to /readyz 200, existing data directory, embedded', samples.embedded),
      row('cold start', 'to /readyz 200, existing data directory, embedded (baseline: bare Express opening PGlite on it first)', 'ms', {
        baseline: median(samples.barePglite),
        ours: median(samples.embedded),
      }),
      vsBare('to /readyz 200, existing database, postgres', samples.postgres),
      row('cold start', 'to /readyz 200, empty data directory, embedded', 'ms', {
        ours: median(samples.empty),
        target: '≤ 3 s',
        met: ({ ours }) => ours <= 3000,
      }),
      row('cold start', '`npm start` a second time (nothing to build), to /readyz 200, embedded and the demo', 'ms', {
        baseline: median(samples.bareNpm),
        ours: median(samples.npm),
        target: '≤ 2 s',
        met: ({ ours }) => ours <= 2000,
      }),
    ];
  },
};
