import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { forget, reapIfOrphaned } from './reaper.js';

/** How to start one program of the cluster. */
export interface ProgramSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * How a program that exits on its own is started again, as its unit's
 * `Restart=always` and `RestartSec=`: with the same command, arguments and
 * environment, after `delayMs`. A program that exits again soon after a
 * restart is in a crash loop: each such exit doubles the delay, up to
 * `maxDelayMs`, instead of spinning.
 */
export interface RestartPolicy {
  /** The delay before a restart, ms (the unit's `RestartSec`). */
  delayMs: number;
  /** The longest a crash loop's delay grows to; default 30 s. */
  maxDelayMs?: number;
  /** A restarted program that ran at least this long counts as back for good: its next exit waits `delayMs` again. Default 10 s. */
  stableMs?: number;
  /** What a restart waits for before it is announced: an answer, or the unit's `ExecStartPost`. */
  started?: () => Promise<void>;
  /** Aborted, nothing is restarted any more and a restart still pending is cancelled. */
  signal?: AbortSignal;
}

/** A restart to come, after an unexpected exit. */
export interface PendingRestart {
  delayMs: number;
  /** Exits in a row that each came within `stableMs` of a restart: 0 for the first, and the delay doubled that often. */
  crashLoop: number;
  maxDelayMs: number;
}

/** A program of the cluster that ended without being asked to (killed from outside, or crashed). */
export interface UnexpectedExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  logFile: string;
  /** Set when it is started again (see {@link RestartPolicy}); absent, it stays down. */
  restart?: PendingRestart;
}

/** A program started again after an {@link UnexpectedExit}, once its `started` check passed. */
export interface Restarted {
  name: string;
  pid: number;
  /** It runs, but its `started` check failed with this. */
  error?: Error;
}

const unexpectedExitListeners = new Set<(exit: UnexpectedExit) => void>();
const restartedListeners = new Set<(restarted: Restarted) => void>();

/** Calls `listener` whenever a program ends that `stop()` or `kill()` did not end; returns how to stop listening. */
export function onUnexpectedExit(listener: (exit: UnexpectedExit) => void): () => void {
  unexpectedExitListeners.add(listener);
  return () => unexpectedExitListeners.delete(listener);
}

/** Calls `listener` whenever a program is back after a restart; returns how to stop listening. */
export function onRestarted(listener: (restarted: Restarted) => void): () => void {
  restartedListeners.add(listener);
  return () => restartedListeners.delete(listener);
}

/** Signals the process group a child leads (it was spawned detached): the child and whatever it started. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Nothing left in the group.
  }
}

/**
 * One process the cluster started, with its output appended to
 * `logs/<name>.log`. Only ever signalled by its own pid, or its own process
 * group: each program leads one, and what is left of it once it exited (the
 * renderer's nginx, PostgreSQL's backends, the sidekick's etcdctl) is killed
 * then, as systemd kills what is left in a unit's control group.
 */
export class Supervised {
  readonly spec: ProgramSpec;
  readonly #logFile: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  /** The child `stop()` was asked to end: its exit is expected. */
  #stopping: ChildProcess | undefined;
  #restart: RestartPolicy | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  /** When the running child was started by a restart (not by `start()`). */
  #restartedAt: number | undefined;
  #crashLoop = 0;

  constructor(spec: ProgramSpec, logDir: string) {
    this.spec = spec;
    mkdirSync(logDir, { recursive: true });
    this.#logFile = path.join(logDir, `${spec.name}.log`);
  }

  get pid(): number | undefined {
    return this.alive ? this.#child?.pid : undefined;
  }

  get alive(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get logFile(): string {
    return this.#logFile;
  }

  /** Whether a restart is pending (the program exited and waits for its delay). */
  get restarting(): boolean {
    return this.#restartTimer !== undefined;
  }

  /** From now on, an unexpected exit is followed by a restart (see {@link RestartPolicy}). */
  restartOnExit(policy: RestartPolicy): void {
    this.#restart = policy;
    policy.signal?.addEventListener('abort', () => this.#cancelRestart(), { once: true });
  }

  /** Starts the program, unless it runs; a pending restart is not needed any more. */
  start(): void {
    this.#cancelRestart();
    if (this.alive) return;
    this.#restartedAt = undefined;
    this.#crashLoop = 0;
    this.#spawn();
  }

  #spawn(): void {
    const log = createWriteStream(this.#logFile, { flags: 'a' });
    const child = spawn(this.spec.command, this.spec.args, {
      env: this.spec.env ?? process.env,
      cwd: this.spec.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that what it leaves behind can be found (and a terminal's Ctrl-C reaches the CLI
      // alone, which stops everything in order).
      detached: true,
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const pid = child.pid;
    if (pid !== undefined) reapIfOrphaned(pid);
    this.#exited = new Promise<void>((resolve) => {
      // What it started and left behind (an nginx holding the port, backends holding the pipes) goes with it.
      child.once('exit', () => {
        killGroup(child, 'SIGKILL');
        if (pid !== undefined) forget(pid);
      });
      // 'close', not 'exit': output still buffered in the pipes at exit would be written after the log ended.
      child.once('close', (code, signal) => {
        if (this.#stopping !== child) {
          const restart = this.#scheduleRestart();
          const exit: UnexpectedExit = { name: this.spec.name, code, signal, logFile: this.#logFile, ...(restart && { restart }) };
          for (const listener of unexpectedExitListeners) listener(exit);
        }
        resolve();
      });
      child.once('error', (error) => {
        log.write(`cannot start ${this.spec.command}: ${error.message}\n`);
        resolve();
      });
    }).then(() => {
      log.end();
    });
    this.#child = child;
  }

  #scheduleRestart(): PendingRestart | undefined {
    const policy = this.#restart;
    if (!policy || policy.signal?.aborted) return undefined;
    const soon = this.#restartedAt !== undefined && Date.now() - this.#restartedAt < (policy.stableMs ?? 10_000);
    this.#crashLoop = soon ? this.#crashLoop + 1 : 0;
    const maxDelayMs = Math.max(policy.maxDelayMs ?? 30_000, policy.delayMs);
    const delayMs = Math.min(policy.delayMs * 2 ** this.#crashLoop, maxDelayMs);
    this.#restartTimer = setTimeout(() => void this.#restartNow(policy), delayMs);
    return { delayMs, crashLoop: this.#crashLoop, maxDelayMs };
  }

  async #restartNow(policy: RestartPolicy): Promise<void> {
    this.#restartTimer = undefined;
    if (policy.signal?.aborted || this.alive) return;
    this.#spawn();
    this.#restartedAt = Date.now();
    const child = this.#child;
    let error: Error | undefined;
    try {
      await policy.started?.();
    } catch (failed) {
      error = failed as Error;
    }
    // Stopped, killed or exited again meanwhile: that is reported by itself.
    if (this.#child !== child || !this.alive || this.#stopping === child || policy.signal?.aborted) return;
    const restarted: Restarted = { name: this.spec.name, pid: child?.pid as number, ...(error && { error }) };
    for (const listener of restartedListeners) listener(restarted);
  }

  #cancelRestart(): void {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
  }

  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs`. A pending restart is cancelled. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    this.#cancelRestart();
    const child = this.#child;
    // Even once it exited: its exit, reported when its pipes close, is no longer one to restart.
    this.#stopping = child;
    if (!child || !this.alive) return this.#exited;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** `kill -9`: no clean-up of any kind. */
  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }

  get exited(): Promise<void> {
    return this.#exited;
  }
}
