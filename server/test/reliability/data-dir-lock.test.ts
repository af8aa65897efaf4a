import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { lockDataDir } from '../../src/store/data-dir-lock.js';
import { eventually } from '../support/live-client.js';
import { type NodeProcess, startNodeProcess } from '../support/node-process.js';

let first: NodeProcess;
const others: NodeProcess[] = [];

beforeAll(async () => {
  first = await startNodeProcess({});
}, 60_000);

afterAll(async () => {
  for (const node of others) await node.cleanup();
  await first?.cleanup();
}, 30_000);

async function signUpAndIn(url: string, login: string): Promise<number> {
  const headers = { 'content-type': 'application/json' };
  const password = `${login}-password`;
  await fetch(`${url}/api/users/${login}`, { method: 'PUT', headers, body: JSON.stringify({ password }) });
  return (await fetch(`${url}/api/authenticate`, { method: 'POST', headers, body: JSON.stringify({ login, password }) })).status;
}

test('a second node on the same data directory refuses to start, with one line naming DATA_DIR', async () => {
  const dataDir = first.dataDir;
  const refused = await startNodeProcess({ DATA_DIR: dataDir }).then(
    (node) => {
      others.push(node);
      return undefined;
    },
    (error: Error) => error.message,
  );
  expect(refused).toBeDefined();
  const stderr = refused!.slice(refused!.indexOf(': ') + 2);
  expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^news-forum: DATA_DIR: .*in use by another node/)]);
  expect(stderr).toContain(dataDir);
  // The first node is untouched.
  expect(first.child.exitCode).toBeNull();
  expect(await signUpAndIn(first.url, 'kept')).toBe(200);
});

test('a holder frozen (SIGSTOP) for longer than its lock takes to go stale keeps its directory, and works once resumed', async () => {
  first.child.kill('SIGSTOP');
  try {
    // The lock's mtime is not refreshed while frozen: after 10 s it looks stale.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const refused = await startNodeProcess({ DATA_DIR: first.dataDir }).then(
      (node) => {
        others.push(node);
        return undefined;
      },
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/news-forum: DATA_DIR: .*in use by another node/);
  } finally {
    first.child.kill('SIGCONT');
  }
  expect(await signUpAndIn(first.url, 'thawed')).toBe(200);
  // Its next refresh found the lock still its own.
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  expect(first.child.exitCode).toBeNull();
  expect(first.stderr()).toBe('');
}, 60_000);

test('after the holder is killed with SIGKILL, the next node on the directory starts, with the data', async () => {
  const dataDir = first.dataDir;
  first.child.kill('SIGKILL');
  await first.exited;
  const next = await startNodeProcess({ DATA_DIR: dataDir });
  others.push(next);
  const headers = { 'content-type': 'application/json' };
  const session = await fetch(`${next.url}/api/authenticate`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ login: 'kept', password: 'kept-password' }),
  });
  expect(session.status).toBe(200);
});

test('a lock lost while held (its directory removed) is reported, and releasing it afterwards does not throw', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'news-forum-lost-lock-'));
  const directory = path.join(dir, 'pglite');
  const onLost = jest.fn<(error: Error) => void>();
  try {
    const release = await lockDataDir(directory, onLost);
    await rm(`${directory}.lock`, { recursive: true, force: true });
    // The lock is refreshed every 5 s: the next refresh finds it gone.
    await eventually(() => onLost.mock.calls.length > 0, 15_000, 'the loss to be reported');
    expect(onLost).toHaveBeenCalledTimes(1);
    await expect(release()).resolves.toBeUndefined();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 20_000);

test('a node whose lock is taken over stops at once with exit code 1, one line on stderr, and leaves the new lock', async () => {
  const node = await startNodeProcess({});
  others.push(node);
  const lock = path.join(node.dataDir, 'pglite.lock');
  // What another node taking over the lock does: its own lock directory, with a new mtime.
  await rm(lock, { recursive: true });
  await mkdir(lock);
  // Its next refresh, within 5 s, finds the lock changed.
  await eventually(() => node.child.exitCode !== null, 10_000, 'the node to stop');
  expect(node.child.exitCode).toBe(1);
  expect(node.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^news-forum: DATA_DIR: the lock of .*pglite was lost/)]);
  expect(existsSync(lock)).toBe(true);
}, 30_000);
