import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from '../support/live-client.js';
import { type NodeProcess, startNodeProcess } from '../support/node-process.js';

// A Unix socket's path has at most 107 bytes on Linux; a longer one is cut by the kernel, and the socket lands
// elsewhere (a truncated name in a parent directory), where nothing looks for it and anyone may.
let root: string;
let node: NodeProcess | undefined;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'news-forum-long-'));
});
afterAll(async () => {
  await node?.cleanup();
  await rm(root, { recursive: true, force: true });
});

test('a data directory too long for its backup socket: the node says so and serves, and leaves no socket elsewhere', async () => {
  const dataDir = path.join(root, 'a-data-directory-whose-path-is-long'.repeat(3));
  await mkdir(dataDir);
  expect(Buffer.byteLength(path.join(dataDir, 'backup.sock'))).toBeGreaterThan(107);
  node = await startNodeProcess({ DATA_DIR: dataDir });
  await eventually(() => node!.logIndex('backups of this node are not possible: its backup socket failed') >= 0, 10_000, 'the warning');
  const warning = node.logs[node.logIndex('backups of this node are not possible: its backup socket failed')]!;
  expect(warning.error).toMatch(/is \d+ bytes, over the 107 a Unix socket may have: use a shorter DATA_DIR$/);
  expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
  // Nothing but the data directory in its parent: no socket under a cut name.
  expect(await readdir(root)).toEqual([path.basename(dataDir)]);
});
