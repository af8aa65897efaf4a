import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onUnexpectedExit, Supervised, type UnexpectedExit } from '../src/cluster/supervised.js';
import { waitFor } from '../src/wait.js';

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

/** Whether `pid` runs (a zombie waiting for whoever adopted it to reap it does not). */
const isRunning = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

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
