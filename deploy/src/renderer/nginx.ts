import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { DeployError } from '../deploy-error.js';
import type { Log } from '../log.js';
import { findPrograms } from '../programs.js';
import { bundledTemplate, renderTemplate } from './template.js';

const run = promisify(execFile);

/** Whether an nginx worker stopped accepting (or is gone). */
async function shuttingDown(worker: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${worker}/cmdline`, 'utf8')).includes('shutting down');
  } catch {
    return true;
  }
}

/** Worker pids of an nginx master (Linux /proc; empty elsewhere). */
async function workers(master: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${master}/task/${master}/children`, 'utf8');
    return text.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Result of `nginx -t`. */
export interface ConfigTest {
  ok: boolean;
  output: string;
}

/**
 * One nginx master run in the foreground from a prefix directory: its main
 * configuration (from `nginx.conf.mustache`) includes the file the renderer
 * writes. Reloads are SIGHUP to the master; nginx keeps serving with the old
 * configuration when the new one fails to load.
 */
export class Nginx {
  readonly prefix: string;
  /** The file the renderer writes, included from the main configuration. */
  readonly site: string;
  readonly #main: string;
  /** Where nginx.conf.mustache has nginx write its pid. */
  readonly #pidFile: string;
  readonly #binary: string;
  readonly #log: Log;
  readonly #mainTemplate: string;
  readonly #onExit: (() => void) | undefined;
  #child: ChildProcess | undefined;
  /** What the current master wrote to stderr, and when it has all been read. */
  #stderr: string[] = [];
  #stderrClosed: Promise<void> = Promise.resolve();

  /** `onExit`: nginx exited on its own (not by `stop()`). */
  constructor(options: { prefix: string; log: Log; mainTemplate?: string; onExit?: () => void }) {
    this.prefix = path.resolve(options.prefix);
    this.site = path.join(this.prefix, 'site.conf');
    this.#main = path.join(this.prefix, 'nginx.conf');
    this.#pidFile = path.join(this.prefix, 'nginx.pid');
    this.#binary = findPrograms(['nginx']).nginx;
    this.#log = options.log;
    this.#onExit = options.onExit;
    mkdirSync(path.join(this.prefix, 'temp'), { recursive: true, mode: 0o755 });
    this.#mainTemplate = options.mainTemplate ?? bundledTemplate('nginx.conf.mustache');
  }

  get pid(): number | undefined {
    const child = this.#child;
    // A master killed by a signal has no exit code, only a signal code.
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  /** Writes the main configuration; call once before `test()`. */
  async writeMain(): Promise<void> {
    await writeFile(this.#main, renderTemplate(this.#mainTemplate, { prefix: this.prefix, site: this.site }));
  }

  /** `nginx -t` on the main configuration and so on the current site file. */
  async test(): Promise<ConfigTest> {
    try {
      const { stderr } = await run(this.#binary, this.#args('-t'));
      return { ok: true, output: stderr };
    } catch (error) {
      return { ok: false, output: String((error as { stderr?: string }).stderr ?? error) };
    }
  }

  /**
   * Whether the master has bound every listen address: nginx writes its pid
   * file only once it has, and a master that cannot bind retries for about
   * 2.5 s and exits without writing it. An answer on the address alone does
   * not tell, as another process may hold it.
   */
  async listening(): Promise<boolean> {
    const pid = this.pid;
    if (pid === undefined) return false;
    try {
      return Number((await readFile(this.#pidFile, 'utf8')).trim()) === pid;
    } catch {
      return false;
    }
  }

  /**
   * Why the last master exited, once all it wrote is read: its errors
   * (`[emerg]` and worse), each once, without their time and pid.
   */
  async exitReason(): Promise<string> {
    await this.#stderrClosed;
    const errors = this.#stderr
      .filter((line) => /\[(emerg|alert|crit)\]/.test(line))
      .map((line) => line.replace(/^.*?\[(emerg|alert|crit)\] \d+#\d+: /, '').replace(/^nginx: \[(emerg|alert|crit)\] /, ''));
    return [...new Set(errors)].join('; ');
  }

  /** Starts the master in the foreground; returns once it runs (not once it listens: see `listening()`). */
  start(): void {
    if (this.running) return;
    // A pid file left by an earlier master must not pass for this one's.
    rmSync(this.#pidFile, { force: true });
    const child = spawn(this.#binary, this.#args(), { stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr: string[] = [];
    this.#stderr = stderr;
    this.#stderrClosed = new Promise((resolve) => child.stderr.once('close', resolve));
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n').filter(Boolean)) {
        this.#log('warn', 'nginx', { line });
        // Enough to say why it exited; a master that runs for months must not grow this.
        if (stderr.length < 50) stderr.push(line);
      }
    });
    child.once('exit', (code, signal) => {
      if (this.#child !== child) return;
      this.#log(code === 0 ? 'info' : 'error', 'nginx exited', { code, signal });
      this.#onExit?.();
    });
    this.#child = child;
  }

  /**
   * Asks the master to load the configuration again; resolves to true once a
   * worker started after the signal runs and every older worker has closed
   * its listening sockets (nginx retitles it "is shutting down"; it may keep
   * serving open WebSockets), so every new connection gets the new
   * configuration. False when no new worker came within `timeoutMs`: the
   * master kept the configuration it ran, as it does when it cannot apply one
   * that `nginx -t` passed (a listen address taken by another process). True
   * after `timeoutMs` where /proc cannot tell.
   */
  async reload(timeoutMs = 5_000): Promise<boolean> {
    const pid = this.pid;
    if (!this.#child || pid === undefined) throw new DeployError('process-exited', 'nginx is not running');
    const before = new Set(await workers(pid));
    this.#child.kill('SIGHUP');
    const deadline = Date.now() + timeoutMs;
    let replaced = false;
    while (Date.now() < deadline && this.running) {
      const now = await workers(pid);
      const old = now.filter((worker) => before.has(worker));
      replaced ||= now.some((worker) => !before.has(worker));
      if (replaced && (await Promise.all(old.map(shuttingDown))).every(Boolean)) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return replaced || before.size === 0;
  }

  /**
   * Graceful stop (SIGQUIT): open requests finish; after `graceMs` (open
   * WebSockets would keep it forever) a fast stop (SIGTERM), in which the
   * master still takes its workers down.
   */
  async stop(graceMs = 3_000): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGQUIT');
    const fast = setTimeout(() => child.kill('SIGTERM'), graceMs);
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs + 5_000);
    await exited;
    clearTimeout(fast);
    clearTimeout(kill);
  }

  #args(...extra: string[]): string[] {
    return ['-p', this.prefix, '-c', this.#main, '-e', 'stderr', ...extra];
  }
}
