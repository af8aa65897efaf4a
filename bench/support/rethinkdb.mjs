import { accessSync, constants } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import path from 'node:path';
import rethinkdb from 'rethinkdb';
import { freePort, sleep, spawnServer } from './processes.mjs';

/** The rethinkdb binary (RETHINKDB_BIN, else on PATH), or undefined. */
export function findRethinkdb() {
  const candidates = process.env.RETHINKDB_BIN
    ? [process.env.RETHINKDB_BIN]
    : (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'rethinkdb'));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const accepts = (port) =>
  new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Waits until the server on `port` sees `count` servers: tables of `count` replicas need them all. */
async function joined(port, count) {
  for (let tries = 0; ; tries += 1) {
    try {
      const connection = await rethinkdb.connect({ host: '127.0.0.1', port, timeout: 2 });
      try {
        if ((await rethinkdb.db('rethinkdb').table('server_status').count().run(connection)) === count) return;
      } finally {
        await connection.close();
      }
    } catch {
      // Not up yet.
    }
    if (tries > 600) throw new Error(`rethinkdb: ${count} servers did not join`);
    await sleep(100);
  }
}

/**
 * `count` joined RethinkDB servers in `dir`, each on the servers' core;
 * `url(db)` names them all. The store creates its tables count × count
 * (RETHINKDB_SHARDS/REPLICAS) and waits for the cluster to be ready.
 */
export async function startRethinkdb(bin, dir, count) {
  const ports = [];
  for (let i = 0; i < count; i += 1) ports.push({ driver: await freePort(), cluster: await freePort() });
  const servers = [];
  for (const [i, port] of ports.entries()) {
    const directory = path.join(dir, `s${i + 1}`);
    await mkdir(dir, { recursive: true });
    const joins = ports.slice(0, i).flatMap((other) => ['--join', `127.0.0.1:${other.cluster}`]);
    const server = spawnServer(`rethinkdb s${i + 1}`, bin, [
      ...['--directory', directory, '--bind', '127.0.0.1', '--no-http-admin', '--no-update-check'],
      ...['--driver-port', String(port.driver), '--cluster-port', String(port.cluster), '--server-name', `s${i + 1}`, ...joins],
    ]);
    servers.push(server);
    for (let tries = 0; !(await accepts(port.driver)); tries += 1) {
      if (server.child.exitCode !== null || tries > 600) throw new Error(`rethinkdb s${i + 1} did not start: ${server.output()}`);
      await sleep(100);
    }
  }
  await joined(ports[0].driver, count);
  return {
    url: (db) => `rethinkdb://${ports.map((port) => `127.0.0.1:${port.driver}`).join(',')}/${db}`,
    env: (db) => ({
      RETHINKDB_URL: `rethinkdb://${ports.map((p) => `127.0.0.1:${p.driver}`).join(',')}/${db}`,
      RETHINKDB_SHARDS: String(count),
      RETHINKDB_REPLICAS: String(count),
    }),
    stop: () => Promise.all(servers.map((server) => server.stop())),
  };
}
