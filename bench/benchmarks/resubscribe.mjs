import path from 'node:path';
import { startBareSocketIo } from '../support/bare-socketio.mjs';
import { closeClients, openClients } from '../support/clients.mjs';
import { createAccounts, createPosts, startForum, tempDir } from '../support/forum.mjs';
import { startPostgres } from '../support/postgres.mjs';
import { cpuMs, sleep } from '../support/processes.mjs';
import { row } from '../support/report.mjs';
import { median } from '../support/stats.mjs';

const POSTS = 100;
const PAGE = 30;
const STORES = ['embedded', 'postgres'];

/**
 * One storm: `count` clients connect and subscribe to the first page of
 * posts, 50 at a time, as they do when a node comes back; the server's CPU
 * time per client and the wall time until the last acknowledgement.
 */
async function storm(server, count) {
  const before = cpuMs(server.pid);
  const started = performance.now();
  const sockets = await openClients(server.url, count, { subscribe: { topic: 'posts', sort: 'top', limit: PAGE } });
  const wallMs = performance.now() - started;
  const cpuPerClient = (cpuMs(server.pid) - before) / count;
  closeClients(sockets);
  // Let the server finish with the closed sockets before the next storm is measured.
  await sleep(1_000);
  return { cpuPerClient, wallMs };
}

export default {
  name: 'resubscribe',
  describe: [
    `a reconnect storm: 1,000 socket.io clients (WebSocket; 300 with --quick) connect to one node holding ${POSTS} posts and subscribe to \`posts\` (top, first ${PAGE}), 50 at a time, each waiting for its snapshot, as every reader's SDK does when a node restarts or a load balancer moves them; the node's CPU time per client (connection and subscription; /proc, 10 ms ticks over the whole storm) and the wall time until the last snapshot arrived, embedded store and PostgreSQL; one storm to warm the node, then the measured one. Baseline: the bare socket.io server acknowledging \`subscribe\` with a fixed page of ${PAGE} posts of the same shape.`,
  ],
  async run({ pairs, quick }) {
    const count = quick ? 300 : 1_000;
    const scratch = await tempDir('resubscribe');
    const postgres = await startPostgres();
    const samples = { bare: [], embedded: [], postgres: [] };
    try {
      const options = {
        embedded: { store: 'embedded', dataDir: path.join(scratch.dir, 'embedded') },
        postgres: { store: 'postgres', dataDir: path.join(scratch.dir, 'pg'), databaseUrl: await postgres.createDatabase('resubscribe') },
      };
      for (const store of STORES) {
        const forum = await startForum(options[store]);
        const [token] = await createAccounts(forum.url, 1, 'storm');
        await createPosts(forum.url, token, POSTS);
        await forum.stop();
      }
      const measure = async (server, into) => {
        try {
          await storm(server, count);
          into.push(await storm(server, count));
        } finally {
          await server.stop();
        }
      };
      for (let pair = 0; pair < pairs; pair += 1) {
        await measure(await startBareSocketIo(), samples.bare);
        for (const store of STORES) await measure(await startForum(options[store]), samples[store]);
      }
    } finally {
      await postgres.stop();
      await scratch.remove();
    }
    const of = (values, key) => median(values.map((v) => v[key]));
    return STORES.flatMap((store) => [
      row('resubscribe', `server CPU per client of a ${count.toLocaleString('en-US')}-client storm, ${store}`, 'ms', {
        baseline: of(samples.bare, 'cpuPerClient'),
        ours: of(samples[store], 'cpuPerClient'),
      }),
      row('resubscribe', `wall time until the last snapshot, ${store}`, 'ms', {
        baseline: of(samples.bare, 'wallMs'),
        ours: of(samples[store], 'wallMs'),
      }),
    ]);
  },
};
