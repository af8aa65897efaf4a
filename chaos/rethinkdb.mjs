// The campaign's RethinkDB (`--store rethinkdb`): one server in a temp
// directory, which a fault may kill -9 and start again on the same ports.

import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import rethinkdb from 'rethinkdb';
import { findRethinkdb } from '../bench/support/rethinkdb.mjs';
import { freePort, killable, supervised, until } from './processes.mjs';

/** The database the nodes share. */
const DB = 'chaos';

export { findRethinkdb };

async function connect(port) {
  return rethinkdb.connect({ host: '127.0.0.1', port, timeout: 2 });
}

/** Starts RethinkDB; `bin` is the `rethinkdb` program (RETHINKDB_BIN, or on PATH). */
export async function startRethinkdb(bin) {
  const dir = await mkdtemp(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'news-forum-chaos-rethinkdb-'));
  const [port, cluster] = [await freePort(), await freePort()];
  const server = supervised('rethinkdb', () => [
    bin,
    ...['--directory', path.join(dir, 'data'), '--bind', '127.0.0.1', '--no-http-admin', '--no-update-check'],
    ...['--driver-port', String(port), '--cluster-port', String(cluster), '--server-name', 'chaos'],
  ]);
  const start = async () => {
    server.start();
    await until(
      async () => {
        const connection = await connect(port);
        await connection.close();
        return true;
      },
      { what: 'RethinkDB to accept connections' },
    );
  };
  await start();
  return {
    label: 'RethinkDB',
    /**
     * A vote whose counter update failed is recounted every 2 s, each time confirmed after the query timeout and
     * a second more (11 s): its counters are right within two such passes.
     */
    countersSettleMs: 30_000,
    port,
    /** A node's store settings, reaching the server at `at` (`host:port`; the proxy's for node a). */
    env: (at = `127.0.0.1:${port}`) => ({ STORE: 'rethinkdb', RETHINKDB_URL: `rethinkdb://${at}/${DB}` }),
    /** What the checker compares: every post, comment and vote as stored. */
    async snapshot() {
      const connection = await connect(port);
      try {
        const all = async (table, fields) =>
          (
            await rethinkdb
              .db(DB)
              .table(table)
              .pluck(...fields)
              .run(connection)
          ).toArray();
        const [posts, comments, votes] = await Promise.all([
          all('posts', ['id', 'version', 'upvotes', 'downvotes', 'commentCount']),
          all('comments', ['id', 'postId', 'version']),
          all('votes', ['login', 'postId', 'value']),
        ]);
        return { posts, comments, votes };
      } finally {
        await connection.close();
      }
    },
    ...killable(server, dir, start),
  };
}
