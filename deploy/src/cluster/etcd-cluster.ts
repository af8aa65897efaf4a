import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { waitFor } from '../wait.js';
import type { PortBook } from './ports.js';
import { type RestartPolicy, Supervised } from './supervised.js';

interface Member {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  process: Supervised;
}

/** An etcd cluster of one or more members on 127.0.0.1. */
export class EtcdCluster {
  readonly name: string;
  readonly #members: Member[];

  private constructor(name: string, members: Member[]) {
    this.name = name;
    this.#members = members;
  }

  /**
   * Lays out `size` members under `dir/<name>/`, on the ports the book keeps.
   * When a port moved since the last run, that cluster's data is dropped:
   * members find each other by address, and everything in these etcds
   * (registrations on leases) is written again by the services.
   */
  static async create(options: {
    name: string;
    size: number;
    dir: string;
    ports: PortBook;
    logDir: string;
    binary: string;
  }): Promise<EtcdCluster> {
    const layout = [];
    for (let i = 1; i <= options.size; i += 1) {
      const name = options.size === 1 ? options.name : `${options.name}-${i}`;
      const client = await options.ports.port(`${name}-client`);
      const peer = await options.ports.port(`${name}-peer`);
      layout.push({
        name,
        clientUrl: `http://127.0.0.1:${client}`,
        peerUrl: `http://127.0.0.1:${peer}`,
        dataDir: path.join(options.dir, options.name, name),
      });
    }
    if (layout.some((m) => options.ports.moved.has(`${m.name}-client`) || options.ports.moved.has(`${m.name}-peer`))) {
      await rm(path.join(options.dir, options.name), { recursive: true, force: true });
    }
    const initialCluster = layout.map((m) => `${m.name}=${m.peerUrl}`).join(',');
    const members = layout.map((m) => ({
      ...m,
      process: new Supervised(
        {
          name: m.name,
          command: options.binary,
          args: [
            '--name',
            m.name,
            '--data-dir',
            m.dataDir,
            '--listen-client-urls',
            m.clientUrl,
            '--advertise-client-urls',
            m.clientUrl,
            '--listen-peer-urls',
            m.peerUrl,
            '--initial-advertise-peer-urls',
            m.peerUrl,
            '--initial-cluster',
            initialCluster,
            '--initial-cluster-token',
            `news-forum-${options.name}`,
            '--initial-cluster-state',
            existsSync(m.dataDir) ? 'existing' : 'new',
            '--log-level',
            'warn',
          ],
        },
        options.logDir,
      ),
    }));
    return new EtcdCluster(options.name, members);
  }

  /** Client URLs of every member. */
  get endpoints(): string[] {
    return this.#members.map((m) => m.clientUrl);
  }

  get pids(): number[] {
    return this.#members.flatMap((m) => (m.process.pid === undefined ? [] : [m.process.pid]));
  }

  /** Starts every member and waits until each reports healthy (a leader is elected). */
  async start(timeoutMs = 30_000): Promise<void> {
    for (const member of this.#members) member.process.start();
    await Promise.all(this.#members.map((member) => healthy(member, timeoutMs)));
  }

  /** Restarts a member that exits on its own, with its data and flags; announced once it is healthy. */
  restartOnExit(policy: RestartPolicy): void {
    for (const member of this.#members) member.process.restartOnExit({ ...policy, started: () => healthy(member, 60_000) });
  }

  /** Stops every member (`SIGKILL` with `hard`, as a crash would). */
  async stop(hard = false): Promise<void> {
    await Promise.all(this.#members.map((m) => (hard ? m.process.kill() : m.process.stop('SIGTERM'))));
  }
}

/** Waits until a member reports healthy (it has a leader). */
function healthy(member: Member, timeoutMs: number): Promise<void> {
  return waitFor(
    async () => {
      const response = await fetch(`${member.clientUrl}/health`, { signal: AbortSignal.timeout(1_000) });
      return ((await response.json()) as { health?: string }).health === 'true';
    },
    `etcd member ${member.name} healthy`,
    timeoutMs,
    { intervalMs: 100, alive: () => member.process.alive },
  );
}
