import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { DeployError } from '../deploy-error.js';
import { waitFor } from '../wait.js';
import { type RestartPolicy, Supervised } from './supervised.js';

const run = promisify(execFile);

export const DATABASE = 'news_forum';
/** The superuser initdb creates, and the user the nodes connect as. */
export const USER = 'news_forum';

/** Options of one PostgreSQL server of the cluster. */
export interface PostgresOptions {
  /** Its process name (`logs/<name>.log`) and its directory under `dir`. */
  name: string;
  dir: string;
  port: number;
  /** PostgreSQL's bin directory (initdb, pg_ctl, psql, pg_basebackup). */
  bin: string;
  logDir: string;
  /** `-c name=value` settings on top of the common ones. */
  settings?: Record<string, string>;
}

/**
 * One PostgreSQL server of the cluster, with its data in `dir/<name>/data`
 * (kept across runs), listening on 127.0.0.1 only. PostgreSQL refuses to run
 * as root, so as root it runs as the `postgres` system user (as the Debian
 * package does), through setpriv; so do the programs run on its data.
 */
export class ClusterPostgres {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  readonly #root: string;
  readonly #bin: string;
  readonly #process: Supervised;
  readonly #user: { uid: number; gid: number } | undefined;

  constructor(options: PostgresOptions) {
    this.name = options.name;
    this.port = options.port;
    this.#root = path.join(options.dir, options.name);
    this.dataDir = path.join(this.#root, 'data');
    this.#bin = options.bin;
    this.url = `postgres://${USER}@127.0.0.1:${options.port}/${DATABASE}`;
    this.#user = unprivilegedUser();
    // A hot standby needs max_connections (and the like) at least as high as its primary's: both use these.
    const settings = { listen_addresses: '127.0.0.1', max_connections: '200', ...options.settings };
    const { command, args } = this.#commandLine('postgres', [
      '-D',
      this.dataDir,
      '-p',
      String(options.port),
      '-k',
      this.#root,
      ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ]);
    this.#process = new Supervised({ name: options.name, command, args, cwd: this.#root }, options.logDir);
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  get alive(): boolean {
    return this.#process.alive;
  }

  /** Resolves when the server process exits, however it does. */
  get exited(): Promise<void> {
    return this.#process.exited;
  }

  /** Whether its data directory holds a database cluster already. */
  get initialised(): boolean {
    return existsSync(path.join(this.dataDir, 'PG_VERSION'));
  }

  /** Whether its data directory is a standby's (`pg_basebackup -R` left `standby.signal`). */
  get standby(): boolean {
    return existsSync(path.join(this.dataDir, 'standby.signal'));
  }

  /**
   * Creates its data directory with `initialise` when it has none, starts
   * the server and resolves once it accepts connections.
   */
  async start(initialise: () => Promise<void>, timeoutMs = 60_000): Promise<void> {
    await mkdir(this.#root, { recursive: true, mode: 0o755 });
    if (this.#user) await chown(this.#root, this.#user.uid, this.#user.gid);
    if (!this.initialised) await initialise();
    this.#process.start();
    await this.accepting(timeoutMs);
  }

  /** Resolves once the server accepts connections; rejects if it exits first. */
  accepting(timeoutMs = 60_000): Promise<void> {
    return waitFor(
      async () => {
        await this.run('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(this.port), '-U', USER]);
        return true;
      },
      `${this.name} accepting connections`,
      timeoutMs,
      { intervalMs: 100, alive: () => this.#process.alive },
    );
  }

  /** Restarts the server in place (same data directory, port and settings) when it exits on its own. */
  restartOnExit(policy: RestartPolicy): void {
    this.#process.restartOnExit(policy);
  }

  /** The rows of one SQL statement, unaligned (`psql -tA`), as the cluster's superuser. */
  query(sql: string, database = 'postgres'): Promise<string> {
    return this.run('psql', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-U',
      USER,
      '-d',
      database,
      '-v',
      'ON_ERROR_STOP=1',
      '-tAc',
      sql,
    ]).then((out) => out.trim());
  }

  /** Runs one of PostgreSQL's programs as the user the server runs as; its standard output. */
  async run(program: string, args: string[]): Promise<string> {
    const { command, args: commandArgs } = this.#commandLine(program, args);
    try {
      return (await run(command, commandArgs, { cwd: this.#root })).stdout;
    } catch (error) {
      throw new DeployError('process-exited', `${program} failed: ${String((error as { stderr?: string }).stderr ?? error).trim()}`, {
        cause: error,
      });
    }
  }

  /** Fast shutdown: open transactions roll back, sessions end. */
  stop(): Promise<void> {
    return this.#process.stop('SIGINT', 30_000);
  }

  /** `kill -9` of the postmaster: the machine's loss, as far as clients can tell. */
  kill(): Promise<void> {
    return this.#process.kill();
  }

  // initdb and postgres refuse to run as root.
  #commandLine(program: string, args: string[]): { command: string; args: string[] } {
    const binary = path.join(this.#bin, program);
    if (!this.#user) return { command: binary, args };
    return { command: 'setpriv', args: [`--reuid=${this.#user.uid}`, `--regid=${this.#user.gid}`, '--init-groups', '--', binary, ...args] };
  }
}

/** As root, the `postgres` system user to run PostgreSQL as; nobody otherwise. */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    return {
      uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
      gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
    };
  } catch {
    throw new DeployError(
      'missing-programs',
      'running as root needs the postgres system user to run PostgreSQL; install it with: apt-get install -y postgresql',
    );
  }
}
