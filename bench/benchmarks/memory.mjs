import path from 'node:path';
import { startBareSocketIo } from '../support/bare-socketio.mjs';
import { closeClients, openClients } from '../support/clients.mjs';
import { startForum, tempDir } from '../support/forum.mjs';
import { startPostgres } from '../support/postgres.mjs';
import { rssBytes, sleep } from '../support/processes.mjs';
import { row } from '../support/report.mjs';
import { median } from '../support/stats.mjs';

const MB = 1024 * 1024;
const SETTLE_MS = 2_000;

/** RSS after `SETTLE_MS` of rest. */
async function settledRss(pid) {
  await sleep(SETTLE_MS);
  return rssBytes(pid);
}

/** Bytes of RSS per client, as the slope from `small` to `large` connected clients. */
async function perClient(server, { small, large, subscribe }) {
  const first = await openClients(server.url, small, { subscribe });
  const atSmall = await settledRss(server.pid);
  const more = await openClients(server.url, large - small, { subscribe });
  const atLarge = await settledRss(server.pid);
  closeClients([...first, ...more]);
  return (atLarge - atSmall) / (large - small);
}

export default {
  name: 'memory',
  describe: [
    `RSS (VmRSS of /proc) of a freshly started node ${SETTLE_MS / 1000} s after \`/readyz\` answered, embedded store and PostgreSQL (the database server not counted), vs a bare socket.io server (http + socket.io, one room) started the same way.`,
    'memory per connected client: the slope of the node’s RSS from 500 to 2,000 socket.io clients (WebSocket), each subscribed to `posts` as the SDK does, measured 2 s after the last connected, vs the same on the bare socket.io server (clients join a room on connection).',
  ],
  async run({ pairs, quick }) {
    const [small, large] = quick ? [200, 800] : [500, 2_000];
    const scratch = await tempDir('memory');
    const postgres = await startPostgres();
    const samples = { bare: [], embedded: [], postgres: [], bareClient: [], forumClient: [] };
    try {
      const embedded = { store: 'embedded', dataDir: path.join(scratch.dir, 'embedded') };
      const pg = { store: 'postgres', dataDir: path.join(scratch.dir, 'pg'), databaseUrl: await postgres.createDatabase('memory') };
      // Create the stores once: every measured start opens an existing one.
      for (const options of [embedded, pg]) await (await startForum(options)).stop();
      for (let pair = 0; pair < pairs; pair += 1) {
        const bare = await startBareSocketIo();
        samples.bare.push(await settledRss(bare.pid));
        samples.bareClient.push(await perClient(bare, { small, large }));
        await bare.stop();
        const forum = await startForum(embedded);
        samples.embedded.push(await settledRss(forum.pid));
        samples.forumClient.push(await perClient(forum, { small, large, subscribe: { topic: 'posts' } }));
        await forum.stop();
        const onPg = await startForum(pg);
        samples.postgres.push(await settledRss(onPg.pid));
        await onPg.stop();
      }
    } finally {
      await postgres.stop();
      await scratch.remove();
    }
    const idle = (measure, values) =>
      row('memory', measure, 'MB', {
        baseline: median(samples.bare) / MB,
        ours: median(values) / MB,
        target: measure.includes('embedded') ? '≤ 150 MB' : '',
        met: measure.includes('embedded') ? ({ ours }) => ours <= 150 : undefined,
      });
    return [
      idle('idle RSS, embedded', samples.embedded),
      idle('idle RSS, postgres', samples.postgres),
      row('memory', `RSS per socket.io client (slope ${small} → ${large}), embedded`, 'KiB', {
        baseline: median(samples.bareClient) / 1024,
        ours: median(samples.forumClient) / 1024,
        target: '≤ 1.1×',
        met: ({ ratio }) => ratio <= 1.1,
      }),
    ];
  },
};
