import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onUnexpectedExit, Supervised, type UnexpectedExit } from '../src/cluster/supervised.js';

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
