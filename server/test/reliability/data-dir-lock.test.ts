import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { lockDataDir } from '../../src/store/data-dir-lock.js';
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
  const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  const warnedOfLoss = () => emitWarning.mock.calls.some(([warning]) => String(warning).includes(`${directory} was lost`));
  try {
    const release = await lockDataDir(directory);
    await rm(`${directory}.lock`, { recursive: true, force: true });
    // The lock is refreshed every 5 s: the next refresh finds it gone.
    const deadline = Date.now() + 15_000;
    while (!warnedOfLoss() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(warnedOfLoss()).toBe(true);
    await expect(release()).resolves.toBeUndefined();
  } finally {
    emitWarning.mockRestore();
    await rm(dir, { recursive: true, force: true });
  }
}, 20_000);
