import path from 'node:path';
import { api, tempDir } from '../support/forum.mjs';
import { startPostgres } from '../support/postgres.mjs';
import { sleep } from '../support/processes.mjs';
import { row } from '../support/report.mjs';
import { findRethinkdb, startRethinkdb } from '../support/rethinkdb.mjs';
import { median, quantile } from '../support/stats.mjs';
import { votingForum } from './writes.mjs';

const LATENCY_VOTES = 200;
/**
 * Longer than the relays' windows (50 ms each): a vote sent while the window that the previous
 * change opened is still open would wait for it to close, and the figure would be the window's.
 */
const QUIET_MS = 150;

/**
 * Milliseconds from sending a vote to the subscribed client's poststream
 * event carrying its version, one vote at a time after a quiet spell, as a
 * vote on a calm forum goes out at once (includes one HTTP round trip).
 */
async function voteToEvent(forum) {
  const [post] = forum.posts;
  // The node's URL, as the subscribed client reached it (the voting forum does not hand it out).
  const url = forum.watcher.io.uri;
  const samples = [];
  for (let i = 0; i < LATENCY_VOTES; i += 1) {
    const direction = i % 2 === 0 ? 'upvotes' : 'downvotes';
    const started = performance.now();
    const seen = new Promise((resolve) => {
      // The watcher asks for batches (openClients), as the SDK does: a change comes alone or in a `postpatches` batch.
      const listener = (payload) => {
        const items = Array.isArray(payload) ? payload : [payload];
        if (!items.some((item) => (item.new_val?.id ?? item.id) === post)) return;
        forum.watcher.off('poststream', listener);
        forum.watcher.off('postpatches', listener);
        resolve();
      };
      forum.watcher.on('poststream', listener);
      forum.watcher.on('postpatches', listener);
    });
    await api(url, 'POST', `/posts/${post}/${direction}`, { token: forum.tokens[1] });
    await seen;
    samples.push(performance.now() - started);
    await sleep(QUIET_MS);
  }
  return samples;
}

export default {
  name: 'rethinkdb',
  describe: [
    'the writes benchmark on STORE=rethinkdb, one server and three joined servers with tables 3 shards × 3 replicas (majority write acks, hard durability), next to PostgreSQL and embedded in the same run; and the time from a vote to the subscribed client’s event, 200 votes one at a time, each after a quiet spell longer than the relays’ 50 ms windows (so that the figure is not the window’s). Needs a rethinkdb binary (RETHINKDB_BIN or PATH); without one it reports that it did not run.',
  ],
  async run({ pairs, quick }) {
    const bin = findRethinkdb();
    if (!bin) return [row('rethinkdb', 'did not run: no rethinkdb binary (RETHINKDB_BIN or PATH)', '', {})];
    const seconds = quick ? 2 : 5;
    const scratch = await tempDir('rethinkdb');
    const postgres = await startPostgres();
    const one = await startRethinkdb(bin, path.join(scratch.dir, 'one'), 1);
    const three = await startRethinkdb(bin, path.join(scratch.dir, 'three'), 3);
    const forums = {};
    const samples = { postgres: [], embedded: [], one: [], three: [] };
    const latency = {};
    try {
      forums.postgres = await votingForum({
        store: 'postgres',
        dataDir: path.join(scratch.dir, 'pg'),
        databaseUrl: await postgres.createDatabase('writes'),
      });
      forums.embedded = await votingForum({ store: 'embedded', dataDir: path.join(scratch.dir, 'embedded') });
      forums.one = await votingForum({ store: 'rethinkdb', dataDir: path.join(scratch.dir, 'r1'), env: one.env('bench') });
      forums.three = await votingForum({ store: 'rethinkdb', dataDir: path.join(scratch.dir, 'r3'), env: three.env('bench') });
      for (const forum of Object.values(forums)) await forum.votes(1);
      for (let pair = 0; pair < pairs; pair += 1) {
        for (const [name, forum] of Object.entries(forums)) samples[name].push(await forum.votes(seconds));
      }
      for (const [name, forum] of Object.entries(forums)) latency[name] = await voteToEvent(forum);
    } finally {
      for (const forum of Object.values(forums)) await forum.stop();
      await Promise.all([postgres.stop(), one.stop(), three.stop()]);
      await scratch.remove();
    }
    const votes = (name, what) =>
      row('rethinkdb', `votes/s through HTTP, change feed attached, ${what} (baseline: postgres)`, 'votes/s', {
        baseline: median(samples.postgres),
        ours: median(samples[name]),
      });
    const lag = (name, what) =>
      row(
        'rethinkdb',
        `vote → client event, median (p95 ${quantile(latency[name], 0.95).toFixed(1)} ms), ${what} (baseline: postgres)`,
        'ms',
        {
          baseline: median(latency.postgres),
          ours: median(latency[name]),
        },
      );
    return [
      votes('embedded', 'embedded'),
      votes('one', 'rethinkdb, 1 server'),
      votes('three', 'rethinkdb, 3 servers 3 × 3'),
      lag('embedded', 'embedded'),
      lag('one', 'rethinkdb, 1 server'),
      lag('three', 'rethinkdb, 3 servers 3 × 3'),
    ];
  },
};
