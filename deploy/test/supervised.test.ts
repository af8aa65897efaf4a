import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onRestarted, onUnexpectedExit, type PendingRestart, Supervised, type UnexpectedExit } from '../src/cluster/supervised.js';
import { waitFor, waitForHttp } from '../src/wait.js';

let dir: string;
const exits: UnexpectedExit[] = [];
let stopListening: () => void;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'news-forum-supervised-'));
  stopListening = onUnexpectedExit((exit) => exits.push(exit));
});

afterAll(async () => {
  stopListening();
  await rm(dir, { recursive: true, force: true });
});

const sleeper = (name: string) => new Supervised({ name, command: 'sleep', args: ['30'] }, dir);

test('a program killed from outside is reported, with its signal and its log; one stopped or killed by the cluster is not', async () => {
  const outside = sleeper('outside');
  outside.start();
  process.kill(outside.pid!, 'SIGKILL');
  await outside.exited;
  expect(exits).toEqual([{ name: 'outside', code: null, signal: 'SIGKILL', logFile: path.join(dir, 'outside.log') }]);

  const stopped = sleeper('stopped');
  stopped.start();
  await stopped.stop();
  const killed = sleeper('killed');
  killed.start();
  await killed.kill();
  // Started again after being stopped, then killed from outside: reported again.
  stopped.start();
  process.kill(stopped.pid!, 'SIGTERM');
  await stopped.exited;
  expect(exits.map(({ name, signal }) => [name, signal])).toEqual([
    ['outside', 'SIGKILL'],
    ['stopped', 'SIGTERM'],
  ]);
});

/** Resolves with the next event `subscribe` delivers for the program `name`. */
function next<T extends { name: string }>(subscribe: (listener: (event: T) => void) => () => void, name: string): Promise<T> {
  return new Promise((resolve) => {
    const stop = subscribe((event) => {
      if (event.name !== name) return;
      stop();
      resolve(event);
    });
  });
}

/** Whether `pid` runs (a zombie waiting for whoever adopted it to reap it does not). */
const isRunning = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });

/** A small HTTP server on `port` that answers with its pid. */
const server = (name: string, port: number) =>
  new Supervised(
    {
      name,
      command: process.execPath,
      args: ['-e', `require('node:http').createServer((_, res) => res.end(String(process.pid))).listen(${port}, '127.0.0.1')`],
    },
    dir,
  );

test('with restarts on, a program killed from outside is started again after its delay, with the same command and port, and serves', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const program = server('restarted', port);
  program.restartOnExit({ delayMs: 300, started: () => waitForHttp(url, { timeoutMs: 15_000, alive: () => program.alive }) });
  program.start();
  await waitForHttp(url, { timeoutMs: 15_000 });
  const first = program.pid!;
  const exited = next(onUnexpectedExit, 'restarted');
  const back = next(onRestarted, 'restarted');
  const killedAt = Date.now();
  process.kill(first, 'SIGKILL');
  expect(await exited).toEqual({
    name: 'restarted',
    code: null,
    signal: 'SIGKILL',
    logFile: path.join(dir, 'restarted.log'),
    restart: { delayMs: 300, crashLoop: 0, maxDelayMs: 30_000 },
  });
  const { pid } = await back;
  expect(Date.now() - killedAt).toBeGreaterThanOrEqual(300);
  expect(pid).not.toBe(first);
  expect(program.pid).toBe(pid);
  // Announced once its `started` check passed: it serves, from the new process.
  expect(await (await fetch(url)).text()).toBe(String(pid));
  await program.stop();
  expect(program.alive).toBe(false);
});

test('a program that exits at once every time is restarted with a growing delay, up to its bound, and each exit says so', async () => {
  const program = new Supervised({ name: 'crashing', command: 'sh', args: ['-c', 'echo crashing; exit 3'] }, dir);
  program.restartOnExit({ delayMs: 100, maxDelayMs: 400 });
  const seen: { restart?: PendingRestart; at: number }[] = [];
  const stopListening = onUnexpectedExit((exit) => {
    if (exit.name === 'crashing') seen.push({ ...(exit.restart && { restart: exit.restart }), at: Date.now() });
  });
  try {
    program.start();
    await waitFor(() => seen.length >= 5, 'five exits', 20_000);
    await program.stop();
  } finally {
    stopListening();
  }
  expect(seen.slice(0, 5).map(({ restart }) => restart)).toEqual([
    { delayMs: 100, crashLoop: 0, maxDelayMs: 400 },
    { delayMs: 200, crashLoop: 1, maxDelayMs: 400 },
    { delayMs: 400, crashLoop: 2, maxDelayMs: 400 },
    { delayMs: 400, crashLoop: 3, maxDelayMs: 400 },
    { delayMs: 400, crashLoop: 4, maxDelayMs: 400 },
  ]);
  // It waited before each restart (no spinning): at least the delays, in total.
  expect(seen[4]!.at - seen[0]!.at).toBeGreaterThanOrEqual(100 + 200 + 400 + 400);
  expect(program.alive).toBe(false);
  expect(await readFile(path.join(dir, 'crashing.log'), 'utf8')).toMatch(/^(crashing\n){5,}$/);
});

test('stop() or the abort of its signal while a restart is pending cancels it: nothing runs, nothing starts later', async () => {
  const restarts = new AbortController();
  const stopped = sleeper('stopped-while-down');
  const aborted = sleeper('aborted-while-down');
  const started: string[] = [];
  const stopListening = onRestarted(({ name }) => started.push(name));
  try {
    for (const program of [stopped, aborted]) {
      program.restartOnExit({ delayMs: 500, signal: restarts.signal });
      program.start();
      const exited = next(onUnexpectedExit, program.spec.name);
      process.kill(program.pid!, 'SIGKILL');
      expect((await exited).restart?.delayMs).toBe(500);
      expect(program.restarting).toBe(true);
    }
    await stopped.stop();
    restarts.abort();
    expect([stopped.restarting, aborted.restarting]).toEqual([false, false]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(started).toEqual([]);
    expect([stopped.alive, aborted.alive]).toEqual([false, false]);
  } finally {
    stopListening();
  }
});

test('what a program started goes with it when it is killed: an nginx that would hold the port, a keep-alive that would hold a lease', async () => {
  const pidFile = path.join(dir, 'left-behind.pid');
  const parent = new Supervised({ name: 'parent', command: 'sh', args: ['-c', `sleep 30 & echo $! > ${pidFile}; wait`] }, dir);
  parent.start();
  await waitFor(async () => (await readFile(pidFile, 'utf8').catch(() => '')).endsWith('\n'), 'the child started', 10_000);
  const child = Number((await readFile(pidFile, 'utf8')).trim());
  expect(isRunning(child)).toBe(true);
  process.kill(parent.pid!, 'SIGKILL');
  await parent.exited;
  await waitFor(() => !isRunning(child), 'the child gone', 5_000);
});

test.each(['SIGKILL', 'SIGHUP'] as const)(
  'a process killed (%s) while its programs run leaves none of them running, nor what they started',
  async (signal) => {
    const pidFile = path.join(dir, `orphan-${signal}.pid`);
    const supervised = new URL('../dist/cluster/supervised.js', import.meta.url).href;
    // What npm run cluster does, in a process of its own: a program that started a child of its own, then waits.
    const owner = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { Supervised } from ${JSON.stringify(supervised)};
         new Supervised({ name: 'orphan', command: 'sh', args: ['-c', 'sleep 60 & echo $$ $! > ${pidFile}; wait'] }, ${JSON.stringify(dir)}).start();
         console.log('started');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let said = '';
    owner.stdout.on('data', (chunk) => (said += chunk));
    try {
      // start() has returned (what npm run cluster waits for): the program is known to be reaped.
      await waitFor(() => said === 'started\n', 'start() returned', 10_000);
      await waitFor(
        async () => (await readFile(pidFile, 'utf8').catch(() => '')).endsWith('\n'),
        'the program and its child started',
        10_000,
      );
      const pids = (await readFile(pidFile, 'utf8')).trim().split(' ').map(Number);
      expect(pids.map(isRunning)).toEqual([true, true]);
      owner.kill(signal);
      await waitFor(() => pids.every((pid) => !isRunning(pid)), 'the program and its child gone', 20_000);
    } finally {
      owner.kill('SIGKILL');
    }
  },
  30_000,
);
