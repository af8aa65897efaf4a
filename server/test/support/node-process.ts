import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { terminate } from './launch.js';
import { eventually } from './live-client.js';
import { FLAG_ANY_AGE, TEST_SECRET } from './server.js';
import { createEmbeddedStore } from './store-template.js';

/** `news-forum-server`, as package.json's `bin` names it and the container image runs it. */
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** One JSON log line. */
export type LogLine = { msg: string; time: string; level: string } & Record<string, unknown>;

/** A node running as its own process. */
export interface NodeProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:port`, from its `listening` log line. */
  url: string;
  /** The DATA_DIR it was started with. */
  dataDir: string;
  /** Every log line so far, in order. */
  logs: LogLine[];
  /** What it wrote to stderr: nothing, unless something went wrong. */
  stderr(): string;
  /** Resolves with its exit code (or the signal that ended it). */
  exited: Promise<number | NodeJS.Signals>;
  /** Index of the first log line with `msg`, -1 when there is none. */
  logIndex(msg: string): number;
  /** Kills it if it still runs and removes its data directory. */
  cleanup(): Promise<void>;
}

/**
 * Starts `news-forum-server` as a child process on a free port, over a copy
 * of the prepared embedded store, with `env` added to the test defaults.
 */
export async function startNodeProcess(env: Record<string, string>): Promise<NodeProcess> {
  const { store, dataDir, cleanup } = await createEmbeddedStore();
  await store.close();
  const child = spawn(process.execPath, [CLI], {
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      JWT_SECRET: TEST_SECRET,
      LOG_LEVEL: 'info',
      ...FLAG_ANY_AGE,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderr = '';
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal!)));
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const logIndex = (msg: string) => logs.findIndex((line) => line.msg === msg);
  await eventually(() => logIndex('listening') >= 0 || child.exitCode !== null, 60_000, 'the node to listen');
  if (child.exitCode !== null) throw new Error(`news-forum-server exited with ${child.exitCode}: ${stderr}`);
  return {
    child,
    url: logs[logIndex('listening')]!.url as string,
    dataDir: env.DATA_DIR ?? dataDir,
    logs,
    stderr: () => stderr,
    exited,
    logIndex,
    async cleanup() {
      await terminate(child, 'SIGKILL');
      process.off('exit', onExit);
      await cleanup();
    },
  };
}
