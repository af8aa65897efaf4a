import path from 'node:path';
import { waitFor, waitForHttp } from '../wait.js';
import type { ImageCommand } from './dockerfile.js';
import { type RestartPolicy, Supervised } from './supervised.js';

/** How a node finds its way into the load balancer. */
export type Registration = 'builtin' | 'sidekick';

export interface ApiNodeOptions {
  name: string;
  port: number;
  /** The image's command, run from the repository root (the image's WORKDIR). */
  image: ImageCommand;
  repoRoot: string;
  /** Environment on top of the image's ENV. */
  env: Record<string, string>;
  registration: Registration;
  /** Sidekick: its script and etcdctl/curl must be on PATH. */
  sidekickScript: string;
  logDir: string;
  /** Whether the load balancer's rendered configuration routes to `address` now. */
  routed: (address: string) => Promise<boolean>;
}

/**
 * One API node, started exactly as the container's CMD with the image's ENV
 * under the cluster's, plus (without built-in registration) its discovery
 * sidekick, as the fleet units pair them.
 */
export class ApiNode {
  readonly name: string;
  readonly url: string;
  /** `host:port` it registers. */
  readonly address: string;
  readonly process: Supervised;
  readonly sidekick: Supervised | undefined;
  readonly #options: ApiNodeOptions;

  constructor(options: ApiNodeOptions) {
    this.#options = options;
    this.name = options.name;
    this.address = `127.0.0.1:${options.port}`;
    this.url = `http://${this.address}`;
    const [command, ...args] = options.image.cmd;
    const env = {
      ...process.env,
      ...options.image.env,
      ...options.env,
      PORT: String(options.port),
      INSTANCE_NAME: options.name,
      ADVERTISE_ADDR: this.address,
    };
    // With a sidekick, the node itself must not register too.
    const nodeEnv = options.registration === 'sidekick' ? { ...env, ETCD_URL: '' } : env;
    this.process = new Supervised({ name: options.name, command, args, env: nodeEnv, cwd: options.repoRoot }, options.logDir);
    this.sidekick =
      options.registration === 'sidekick'
        ? new Supervised({ name: `${options.name}-discovery`, command: 'sh', args: [options.sidekickScript], env }, options.logDir)
        : undefined;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Starts the node (and sidekick); resolves once /readyz answers 200 and the balancer routes to it. */
  async start(timeoutMs = 60_000): Promise<void> {
    this.process.start();
    await this.#ready(timeoutMs);
    this.sidekick?.start();
    await this.waitRouted(true, timeoutMs);
  }

  /**
   * Restarts the node when it exits on its own, announced once its /readyz answers (then `started`). Its
   * sidekick, which outlives it, registers it again; the sidekick itself is not restarted, as its unit is not.
   */
  restartOnExit(policy: RestartPolicy): void {
    const { started } = policy;
    this.process.restartOnExit({
      ...policy,
      started: async () => {
        await this.#ready(60_000);
        await started?.();
      },
    });
  }

  #ready(timeoutMs: number): Promise<void> {
    return waitForHttp(`${this.url}/readyz`, { timeoutMs, alive: () => this.process.alive });
  }

  /** Waits until the balancer's configuration does (or does not) include this node. */
  waitRouted(routed: boolean, timeoutMs: number): Promise<void> {
    return waitFor(
      async () => (await this.#options.routed(this.address)) === routed,
      `${this.name} ${routed ? 'in' : 'out of'} the load balancer`,
      timeoutMs,
      {
        intervalMs: 50,
      },
    );
  }

  /**
   * A graceful stop, as `systemctl stop` does it. With built-in registration
   * the node gets SIGTERM and deregisters, waits for the balancer to drop it
   * (DEREGISTER_DELAY), drains and closes; with a sidekick, as the units
   * order it, the sidekick is stopped first (it deregisters and waits its
   * DEREGISTER_DELAY) and the node once the sidekick has exited.
   */
  async stop(): Promise<void> {
    await this.sidekick?.stop('SIGTERM');
    await this.process.stop('SIGTERM', 30_000);
  }

  /** `kill -9` of the node (its sidekick, if any, stays, as on a host where only the container died). */
  kill(): Promise<void> {
    return this.process.kill();
  }

  /** The sidekick goes with its node (BindsTo). */
  async stopSidekick(): Promise<void> {
    await this.sidekick?.stop('SIGTERM');
  }

  /** Log file of the node, for people. */
  get logFile(): string {
    return path.resolve(this.process.logFile);
  }
}
