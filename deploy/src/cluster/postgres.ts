import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { DeployError } from '../deploy-error.js';
import { waitFor } from '../wait.js';
import { Supervised } from './supervised.js';

const run = promisify(execFile);

export const DATABASE = 'news_forum';
const USER = 'news_forum';

/**
 * PostgreSQL for the cluster: initialised once in `dir/postgres/data` (kept
 * across runs), listening on 127.0.0.1 only. PostgreSQL refuses to run as
 * root, so as root it runs as the `postgres` system user (as the Debian
 * package does), through setpriv.
 */
export class ClusterPostgres {
  readonly url: string;
  readonly #root: string;
  readonly #data: string;
  readonly #bin: string;
  readonly #port: number;
  readonly #process: Supervised;
  readonly #user: { uid: number; gid: number } | undefined;

  constructor(options: { dir: string; port: number; bin: string; logDir: string }) {
    this.#root = path.join(options.dir, 'postgres');
    this.#data = path.join(this.#root, 'data');
    this.#bin = options.bin;
    this.#port = options.port;
    this.url = `postgres://${USER}@127.0.0.1:${options.port}/${DATABASE}`;
    this.#user = unprivilegedUser();
    const { command, args } = this.#commandLine('postgres', [
      '-D',
      this.#data,
      '-p',
      String(options.port),
      '-k',
      this.#root,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
    ]);
    this.#process = new Supervised({ name: 'postgres', command, args, cwd: this.#root }, options.logDir);
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    await mkdir(this.#root, { recursive: true, mode: 0o755 });
    if (this.#user) await chown(this.#root, this.#user.uid, this.#user.gid);
    if (!existsSync(path.join(this.#data, 'PG_VERSION'))) {
      await this.#as('initdb', ['-D', this.#data, '-U', USER, '--auth=trust', '--no-locale', '-E', 'UTF8']);
    }
    this.#process.start();
    await waitFor(
      async () => {
        await this.#as('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(this.#port), '-U', USER]);
        return true;
      },
      'PostgreSQL accepting connections',
      timeoutMs,
      { intervalMs: 100, alive: () => this.#process.alive },
    );
    const exists = await this.#as('psql', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.#port),
      '-U',
      USER,
      '-d',
      'postgres',
      '-tAc',
      `SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'`,
    ]);
    if (exists.trim() !== '1') await this.#as('createdb', ['-h', '127.0.0.1', '-p', String(this.#port), '-U', USER, DATABASE]);
  }

  /** Fast shutdown: open transactions roll back, sessions end. */
  stop(): Promise<void> {
    return this.#process.stop('SIGINT', 30_000);
  }

  // initdb and postgres refuse to run as root.
  #commandLine(program: string, args: string[]): { command: string; args: string[] } {
    const binary = path.join(this.#bin, program);
    if (!this.#user) return { command: binary, args };
    return { command: 'setpriv', args: [`--reuid=${this.#user.uid}`, `--regid=${this.#user.gid}`, '--init-groups', '--', binary, ...args] };
  }

  async #as(program: string, args: string[]): Promise<string> {
    const { command, args: commandArgs } = this.#commandLine(program, args);
    try {
      return (await run(command, commandArgs, { cwd: this.#root })).stdout;
    } catch (error) {
      throw new DeployError('process-exited', `${program} failed: ${String((error as { stderr?: string }).stderr ?? error).trim()}`, {
        cause: error,
      });
    }
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
