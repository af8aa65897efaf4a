import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';

/** How to start one program of the cluster. */
export interface ProgramSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** A program of the cluster that ended without being asked to (killed from outside, or crashed). */
export interface UnexpectedExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  logFile: string;
}

const unexpectedExitListeners = new Set<(exit: UnexpectedExit) => void>();

/** Calls `listener` whenever a program ends that `stop()` or `kill()` did not end; returns how to stop listening. */
export function onUnexpectedExit(listener: (exit: UnexpectedExit) => void): () => void {
  unexpectedExitListeners.add(listener);
  return () => unexpectedExitListeners.delete(listener);
}

/** Every child still running, killed if this process exits without stopping them (a crash, a test runner's exit). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGTERM');
});

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

  start(): void {
    if (this.alive) return;
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
    running.add(child);
    this.#exited = new Promise<void>((resolve) => {
      // What it started and left behind (an nginx holding the port, backends holding the pipes) goes with it.
      child.once('exit', () => killGroup(child, 'SIGKILL'));
      // 'close', not 'exit': output still buffered in the pipes at exit would be written after the log ended.
      child.once('close', (code, signal) => {
        running.delete(child);
        if (this.#stopping !== child)
          for (const listener of unexpectedExitListeners) listener({ name: this.spec.name, code, signal, logFile: this.#logFile });
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

  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    const child = this.#child;
    if (!child || !this.alive) return this.#exited;
    this.#stopping = child;
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
