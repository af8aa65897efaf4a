import { DeployError } from '../deploy-error.js';
import { type Log, silentLog } from '../log.js';
import { waitFor } from '../wait.js';
import type { PortBook } from './ports.js';
import { ClusterPostgres, DATABASE, USER } from './postgres.js';
import { restartPolicy } from './restarts.js';

/**
 * How the primary waits for its replica. `synchronous`: while the replica
 * streams, a commit returns once the replica has flushed it too; when the
 * replica is down the primary goes on alone. `asynchronous`: commits never
 * wait. `none`: no replica.
 */
export type ReplicaMode = 'synchronous' | 'asynchronous' | 'none';

export const REPLICA_MODES: readonly ReplicaMode[] = ['synchronous', 'asynchronous', 'none'];

/** The role the replica streams as; the replica's `application_name` and slot. */
const REPLICATION_ROLE = 'replicator';
const STANDBY_NAME = 'replica';
/** `on`: a commit returns once the replica has written *and flushed* it, so it survives losing either machine. */
const SYNCHRONOUS = `ANY 1 (${STANDBY_NAME})`;

export interface DatabaseOptions {
  /** State directory: the primary's data in `postgres/`, the replica's in `postgres-replica/`. */
  dir: string;
  ports: PortBook;
  /** PostgreSQL's bin directory. */
  bin: string;
  logDir: string;
  /** Default `synchronous`. */
  replica?: ReplicaMode;
  log?: Log;
}

/**
 * The cluster's PostgreSQL: a primary and, unless told otherwise, a hot
 * standby streaming from it, each its own process on its own port with its
 * data under the state directory. A second start reuses both data
 * directories; the replica is made with `pg_basebackup -R` only when it has
 * none.
 */
export class ClusterDatabase {
  readonly primary: ClusterPostgres;
  readonly replica: ClusterPostgres | undefined;
  readonly mode: ReplicaMode;
  readonly #log: Log;
  #stopping = false;

  private constructor(primary: ClusterPostgres, replica: ClusterPostgres | undefined, mode: ReplicaMode, log: Log) {
    this.primary = primary;
    this.replica = replica;
    this.mode = mode;
    this.#log = log;
  }

  /** Reserves the ports (kept in the state directory) and prepares both servers, started by {@link start}. */
  static async create(options: DatabaseOptions): Promise<ClusterDatabase> {
    const mode = options.replica ?? 'synchronous';
    const common = { dir: options.dir, bin: options.bin, logDir: options.logDir };
    const primary = new ClusterPostgres({
      ...common,
      name: 'postgres',
      port: await options.ports.port('postgres'),
      // A slot keeps the WAL a stopped replica still needs, up to a bound, so it catches up when it is back.
      settings: { wal_level: 'replica', max_wal_senders: '10', max_slot_wal_keep_size: '1GB', synchronous_commit: 'on' },
    });
    const replica =
      mode === 'none'
        ? undefined
        : new ClusterPostgres({
            ...common,
            name: 'postgres-replica',
            port: await options.ports.port('postgres-replica'),
            settings: { hot_standby: 'on', cluster_name: STANDBY_NAME },
          });
    return new ClusterDatabase(primary, replica, mode, options.log ?? silentLog);
  }

  /** Starts the primary (initdb on the first run), the forum's database, then the replica, streaming. */
  async start(): Promise<void> {
    this.#stopping = false;
    await this.primary.start(async () => {
      await this.primary.run('initdb', ['-D', this.primary.dataDir, '-U', USER, '--auth=trust', '--no-locale', '-E', 'UTF8']);
    });
    // Left set by a run that ended abruptly, it would hold every write until the replica streams.
    await this.#setSynchronous(false);
    if ((await this.primary.query(`SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'`)) !== '1') {
      await this.primary.run('createdb', ['-h', '127.0.0.1', '-p', String(this.primary.port), '-U', USER, DATABASE]);
    }
    if (this.replica) await this.startReplica();
  }

  /**
   * Starts the replica (making it with `pg_basebackup -R` from the primary
   * when it has no data yet) and resolves once it streams; in `synchronous`
   * mode the primary then waits for it on every commit.
   */
  async startReplica(timeoutMs = 60_000): Promise<void> {
    const replica = this.replica;
    if (!replica) throw new DeployError('bad-option', 'this cluster runs without a replica');
    if (replica.initialised && !replica.standby) {
      throw new DeployError(
        'bad-option',
        `${replica.dataDir} is no longer a standby (was it promoted?): run the cluster with it as the primary, or remove it to make a new replica`,
      );
    }
    await replica.start(async () => {
      if ((await this.primary.query(`SELECT 1 FROM pg_roles WHERE rolname = '${REPLICATION_ROLE}'`)) !== '1') {
        await this.primary.query(`CREATE ROLE ${REPLICATION_ROLE} WITH REPLICATION LOGIN`);
      }
      // A slot left by a replica whose data is gone would keep WAL for nobody.
      await this.primary.query(
        `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${STANDBY_NAME}' AND NOT active`,
      );
      this.#log('info', 'making the replica with pg_basebackup');
      await replica.run('pg_basebackup', [
        ...['-h', '127.0.0.1', '-p', String(this.primary.port), '-U', REPLICATION_ROLE],
        ...['-D', replica.dataDir, '-R', '-X', 'stream', '-C', '-S', STANDBY_NAME, '--checkpoint=fast'],
      ]);
    }, timeoutMs);
    await this.#streaming(replica, timeoutMs);
  }

  /**
   * Restarts the primary in place, and the replica, when one exits on its own
   * (their units' `Restart=always`), until `signal` aborts. The restarted
   * replica is waited for as by {@link startReplica}: the primary waits for it
   * again once it streams (the unit's `ExecStartPost`).
   */
  restartOnExit(signal: AbortSignal): void {
    this.primary.restartOnExit(restartPolicy('postgres', signal, () => this.primary.accepting()));
    const replica = this.replica;
    replica?.restartOnExit(restartPolicy('postgres-replica', signal, () => this.#streaming(replica, 60_000)));
  }

  /** Once the replica streams, the primary waits for it (synchronous mode); when it exits, the primary goes on alone. */
  async #streaming(replica: ClusterPostgres, timeoutMs: number): Promise<void> {
    void replica.exited.then(async () => {
      // Synchronous commits would wait for a replica that is not there: the primary goes on alone.
      if (!this.#stopping && this.primary.alive) await this.#setSynchronous(false).catch(() => undefined);
    });
    await waitFor(async () => (await this.replicationState()) === 'streaming', 'the replica streaming', timeoutMs, {
      intervalMs: 100,
      alive: () => replica.alive,
    });
    if (this.mode === 'synchronous') await this.#setSynchronous(true);
  }

  /** The replica's state in the primary's `pg_stat_replication` (`streaming`, `catchup`…), or undefined. */
  async replicationState(): Promise<string | undefined> {
    const state = await this.primary.query(`SELECT state FROM pg_stat_replication WHERE application_name = '${STANDBY_NAME}'`);
    return state || undefined;
  }

  /**
   * `pg_ctl promote` of the replica: it stops streaming and accepts writes,
   * as the primary it runs alone (no standby of its own). Resolves once it does.
   */
  async promoteReplica(): Promise<void> {
    const replica = this.replica;
    if (!replica?.alive) throw new DeployError('bad-option', 'no replica is running');
    await replica.run('pg_ctl', ['promote', '-w', '-t', '60', '-D', replica.dataDir]);
  }

  /** Stops the replica, then the primary. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.replica?.stop();
    await this.primary.stop();
  }

  // Through ALTER SYSTEM, so a reload changes it (a -c setting would hold it fixed), and only on the primary:
  // postgresql.auto.conf is not replicated, and a promoted replica must not wait for a standby it does not have.
  async #setSynchronous(on: boolean): Promise<void> {
    const value = on ? SYNCHRONOUS : '';
    await this.primary.query(`ALTER SYSTEM SET synchronous_standby_names = '${value}'`);
    await this.primary.query('SELECT pg_reload_conf()');
    await waitFor(async () => (await this.primary.query('SHOW synchronous_standby_names')) === value, 'the primary reloaded', 10_000, {
      intervalMs: 50,
    });
    // Without a replica there is no replication to speak of (--replica none).
    if (on || this.replica) this.#log('info', on ? `synchronous replication to the replica (${SYNCHRONOUS})` : 'asynchronous replication');
  }
}
