import { accessSync, constants } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import rethinkdb from 'rethinkdb';
import { DeployError } from '../deploy-error.js';
import { waitFor } from '../wait.js';
import type { PortBook } from './ports.js';
import { Supervised } from './supervised.js';

/** The database the nodes use on the RethinkDB cluster. */
export const RETHINKDB_DATABASE = 'news_forum';
/** Servers, and shards and replicas of every table: the seed's 3 × 3 on three machines. */
export const RETHINKDB_SERVERS = 3;

/**
 * The rethinkdb binary: RETHINKDB_BIN, else on PATH. RethinkDB is in
 * neither Debian nor npm, so a missing one gets a pointer to the README
 * rather than an apt-get line.
 */
export function findRethinkdb(): string {
  const candidates = process.env.RETHINKDB_BIN
    ? [process.env.RETHINKDB_BIN]
    : (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir || '.', 'rethinkdb'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new DeployError(
    'missing-programs',
    'rethinkdb not found: install RethinkDB (its authors publish Debian packages; see README "RethinkDB") or set RETHINKDB_BIN',
  );
}

export interface RethinkdbServersOptions {
  /** State directory: each server's data in `rethinkdb/<name>/`. */
  dir: string;
  ports: PortBook;
  binary: string;
  logDir: string;
}

/**
 * Three joined RethinkDB servers on 127.0.0.1, each its own process with
 * its data under the state directory (a second start reuses it). The API
 * nodes create the tables, 3 shards × 3 replicas, through
 * RETHINKDB_SHARDS and RETHINKDB_REPLICAS.
 */
export class RethinkdbServers {
  readonly servers: { name: string; driverPort: number; process: Supervised }[];

  private constructor(servers: RethinkdbServers['servers']) {
    this.servers = servers;
  }

  static async create(options: RethinkdbServersOptions): Promise<RethinkdbServers> {
    const ports: { driver: number; cluster: number }[] = [];
    for (let i = 1; i <= RETHINKDB_SERVERS; i++) {
      ports.push({ driver: await options.ports.port(`rethinkdb-${i}`), cluster: await options.ports.port(`rethinkdb-${i}-cluster`) });
    }
    // rethinkdb creates its own directory but not the parents.
    await mkdir(path.join(options.dir, 'rethinkdb'), { recursive: true });
    const servers = ports.map((port, i) => {
      const name = `rethinkdb-${i + 1}`;
      const joins = ports.filter((_, j) => j !== i).flatMap((other) => ['--join', `127.0.0.1:${other.cluster}`]);
      const args = [
        ...['--directory', path.join(options.dir, 'rethinkdb', name), '--bind', '127.0.0.1'],
        ...['--driver-port', String(port.driver), '--cluster-port', String(port.cluster), '--server-name', name.replace('-', '_')],
        ...['--no-http-admin', '--no-update-check', ...joins],
      ];
      return { name, driverPort: port.driver, process: new Supervised({ name, command: options.binary, args }, options.logDir) };
    });
    return new RethinkdbServers(servers);
  }

  /** `rethinkdb://…/news_forum` naming every server, for failover. */
  get url(): string {
    return `rethinkdb://${this.servers.map((server) => `127.0.0.1:${server.driverPort}`).join(',')}/${RETHINKDB_DATABASE}`;
  }

  /** Starts the servers and resolves once each sees all of them. */
  async start(timeoutMs = 60_000): Promise<void> {
    for (const server of this.servers) server.process.start();
    await Promise.all(
      this.servers.map((server) =>
        waitFor(() => this.#seesAll(server.driverPort), `${server.name} joined to ${RETHINKDB_SERVERS} servers`, timeoutMs, {
          intervalMs: 200,
          alive: () => server.process.alive,
        }),
      ),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.process.stop('SIGTERM', 15_000)));
  }

  async #seesAll(port: number): Promise<boolean> {
    const connection = await rethinkdb.connect({ host: '127.0.0.1', port, timeout: 2 });
    try {
      const count = await (rethinkdb.db('rethinkdb').table('server_status').count() as rethinkdb.Operation<number>).run(connection);
      return count === RETHINKDB_SERVERS;
    } finally {
      await connection.close();
    }
  }
}
