import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.js';
import type { Store, StoredPost } from '../../src/store/store.js';
import { terminate } from '../support/launch.js';
import { connectSocket, subscribe } from '../support/live-client.js';
import { type NodeProcess, startNodeProcess } from '../support/node-process.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { findRethinkdb, startRethinkdb } from '../support/rethinkdb.js';
import { tempDir } from '../support/server.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const execFileAsync = promisify(execFile);

/** Runs `news-forum-server …args` to its end; never rejects. */
async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const ADMIN = { login: 'backup-admin', password: 'backup-admin-password' };
const LIMITS = {
  ADMIN_LOGIN: ADMIN.login,
  ADMIN_PASSWORD: ADMIN.password,
  RATE_REQUESTS_PER_IP: '100000/1m',
  RATE_WRITES_PER_USER: '100000/1m',
  RATE_LOGINS_PER_IP: '1000/1m',
  RATE_SIGNUPS_PER_IP: '1000/1m',
};

let node: NodeProcess;
let postgres: TestPostgres;
/** The original's epoch and a post of it, once the workload test has backed it up. */
let original: { epoch: string; postId: string } | undefined;
let work: string;

beforeAll(async () => {
  [node, postgres, work] = await Promise.all([startNodeProcess(LIMITS), startPostgres(), tempDir('news-forum-backup-')]);
}, 120_000);

afterAll(async () => {
  await node?.cleanup();
  await postgres?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const JSON_HEADERS = { 'content-type': 'application/json' };

async function authenticate(login: string, password: string): Promise<string> {
  const session = await fetch(`${node.url}/api/authenticate`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ login, password }),
  });
  return ((await session.json()) as { token: string }).token;
}

async function signUp(login: string): Promise<string> {
  const password = `${login}-password`;
  const created = await fetch(`${node.url}/api/users/${login}`, {
    method: 'PUT',
    headers: JSON_HEADERS,
    body: JSON.stringify({ password }),
  });
  expect(created.status).toBe(201);
  return authenticate(login, password);
}

async function write(token: string, method: string, route: string, body?: unknown, base = node.url): Promise<Response> {
  return fetch(`${base}/api${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The database epoch a node's subscriptions name (openapi.yaml's DatabaseEpoch), of posts and of a post's comments. */
async function epochsOf(url: string, postId: string): Promise<(string | undefined)[]> {
  const socket = await connectSocket(url);
  try {
    return (await Promise.all([subscribe(socket, { topic: 'posts' }), subscribe(socket, { topic: 'comments', postId })])).map((ack) =>
      ack.ok ? ack.epoch : undefined,
    );
  } finally {
    socket.disconnect();
  }
}

async function recount(store: Store, postId: string): Promise<{ up: number; down: number }> {
  // getVotes is per account: ask for each writer.
  let up = 0;
  let down = 0;
  for (const login of ['writer0', 'writer1', 'writer2', 'writer3']) {
    const vote = (await store.getVotes(login, [postId])).get(postId);
    if (vote === 1) up++;
    if (vote === -1) down++;
  }
  return { up, down };
}

test('--help lists both commands', async () => {
  const help = await cli(['--help'], {});
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('backup FILE');
  expect(help.stdout).toContain('restore FILE');
  const unknown = await cli(['bakcup', 'x'], {});
  expect(unknown.code).toBe(2);
  expect(unknown.stderr.split('\n')[0]).toBe('news-forum: unknown command "bakcup x"');
});

test('a backup of a running embedded node under a write workload restores every acknowledged write, into either store', async () => {
  const logins = ['writer0', 'writer1', 'writer2', 'writer3'];
  const tokens = await Promise.all(logins.map(signUp));
  // Acknowledged writes, each with when it was acknowledged.
  const posts: { id: string; at: number }[] = [];
  const comments: { postId: string; id: string; at: number }[] = [];
  const votes: { postId: string; login: string; value: 1 | -1; at: number }[] = [];
  let running = true;
  const writers = tokens.map(async (token, i) => {
    for (let n = 0; running; n++) {
      const created = await write(token, 'POST', '/posts', { title: `post ${i}.${n}` });
      if (created.status !== 201) continue;
      const post = (await created.json()) as StoredPost;
      posts.push({ id: post.id, at: Date.now() });
      // Every writer votes once on this post (one vote each, never changed, so each one stays checkable).
      await Promise.all(
        tokens.map(async (voter, j) => {
          const value = (i + j + n) % 3 === 0 ? -1 : 1;
          const voted = await write(voter, 'POST', `/posts/${post.id}/${value === 1 ? 'upvotes' : 'downvotes'}`);
          if (voted.status === 200) votes.push({ postId: post.id, login: logins[j]!, value, at: Date.now() });
        }),
      );
      const comment = await write(token, 'PUT', `/comments/${post.id}`, { text: `comment ${i}.${n}` });
      if (comment.status === 201) comments.push({ postId: post.id, id: ((await comment.json()) as { id: string }).id, at: Date.now() });
    }
  });
  while (votes.length < 40) await new Promise((resolve) => setTimeout(resolve, 50));
  // Flags and a moderator's hide: rows of the flags table and of the moderation log.
  const [flagged, hidden] = [posts[0]!, posts[1]!];
  for (const token of tokens.slice(0, 2))
    expect((await write(token, 'POST', `/posts/${flagged.id}/flags`, { reason: 'spam' })).ok).toBe(true);
  const moderator = await authenticate(ADMIN.login, ADMIN.password);
  expect((await write(moderator, 'POST', `/posts/${hidden.id}/hide`, { reason: 'kept in backups' })).status).toBe(200);
  // A sign-out is an acknowledged write too: of two tokens of one account, one is signed out.
  const kept = await signUp('leaver');
  const signedOut = await authenticate('leaver', 'leaver-password');
  expect((await write(signedOut, 'DELETE', '/authenticate')).status).toBe(204);
  expect((await write(signedOut, 'GET', '/me')).status).toBe(401);

  const [epoch] = await epochsOf(node.url, flagged.id);
  expect(epoch).toEqual(expect.any(String));
  original = { epoch: epoch!, postId: flagged.id };
  const file = path.join(work, 'forum.ndjson');
  const started = Date.now();
  // Run with more of a node's environment than it reads: settings it does not read, even wrong ones, are not its to refuse.
  const backup = await cli(['backup', file], { DATA_DIR: node.dataDir, PORT: '80000', TOKEN_TTL: '1y' });
  running = false;
  await Promise.all(writers);
  expect(backup.stderr).toBe('');
  expect(backup.code).toBe(0);
  expect(backup.stdout).toMatch(
    /^backup written to .*forum\.ndjson: \d+ users, \d+ posts, \d+ comments, \d+ votes, \d+ idempotency keys, \d+ notifications, 2 flags, 1 moderation log entries, 1 revoked tokens\n$/,
  );
  // The running node wrote it, through its socket: nothing else may open its database.
  expect(node.logIndex('backup written')).toBeGreaterThanOrEqual(0);
  const lines = (await readFile(file, 'utf8')).trim().split('\n');
  expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'news-forum-backup', version: 1, store: 'embedded' });
  expect(JSON.parse(lines.at(-1)!)).toMatchObject({ end: true });
  // Its counters were consistent with its votes already: the restore's recount changes no post.
  const filed = lines
    .slice(1, -1)
    .map((line) => JSON.parse(line) as { table: string; row: StoredPost & { postId: string; value: number } });
  for (const { row } of filed.filter((record) => record.table === 'posts')) {
    const own = filed.filter((record) => record.table === 'votes' && record.row.postId === row.id);
    expect([row.upvotes, row.downvotes]).toEqual([
      own.filter((v) => v.row.value === 1).length,
      own.filter((v) => v.row.value === -1).length,
    ]);
  }

  const embeddedDir = path.join(work, 'restored');
  const targets: { env: Record<string, string>; open: () => Promise<Store> }[] = [
    { env: { DATA_DIR: embeddedDir }, open: () => openStore({ kind: 'embedded', dataDir: embeddedDir }) },
    { env: { STORE: 'postgres', DATABASE_URL: postgres.url }, open: () => openStore({ kind: 'postgres', databaseUrl: postgres.url }) },
  ];
  for (const target of targets) {
    const restored = await cli(['restore', file], target.env);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toMatch(/^restored .* \(taken .* from a embedded store\): .*; post counters recounted\n$/);
    const store = await target.open();
    const reopened = store.epoch;
    try {
      for (const post of posts.filter((p) => p.at < started)) expect(await store.getPost(post.id)).not.toBeNull();
      for (const comment of comments.filter((c) => c.at < started))
        expect(await store.getComment(comment.postId, comment.id)).not.toBeNull();
      for (const vote of votes.filter((v) => v.at < started))
        expect((await store.getVotes(vote.login, [vote.postId])).get(vote.postId)).toBe(vote.value);
      expect(await store.getPost(flagged.id)).toMatchObject({ flagCount: 2 });
      expect(await store.getPost(hidden.id)).toMatchObject({ hidden: true });
      expect((await store.listModerationLog({ limit: 10 })).items).toEqual([
        expect.objectContaining({ action: 'hide', targetId: hidden.id, actor: ADMIN.login, reason: 'kept in backups' }),
      ]);
      for (const { row } of filed.filter((record) => record.table === 'posts')) {
        const post = (await store.getPost(row.id))!;
        expect(post.version).toBe(row.version);
        const { up, down } = await recount(store, row.id);
        expect([post.upvotes, post.downvotes]).toEqual([up, down]);
      }
    } finally {
      await store.close();
    }
    // A node on the restored store, with the same JWT_SECRET, still refuses the signed-out token, and only it.
    const restoredNode = await startNodeProcess(target.env);
    try {
      // A restored database is another one, whatever it was restored from: a client that held the original's snapshots
      // takes the next whole. It keeps its epoch when opened again (by the check above, then by this node).
      expect(reopened).toEqual(expect.any(String));
      expect(reopened).not.toBe(epoch);
      expect(await epochsOf(restoredNode.url, flagged.id)).toEqual([reopened, reopened]);
      expect((await write(signedOut, 'GET', '/me', undefined, restoredNode.url)).status).toBe(401);
      expect((await write(signedOut, 'POST', '/posts', { title: 'after sign-out' }, restoredNode.url)).status).toBe(401);
      expect((await write(kept, 'GET', '/me', undefined, restoredNode.url)).status).toBe(200);
    } finally {
      await terminate(restoredNode.child, 'SIGTERM');
      await restoredNode.cleanup();
    }
    // Only into an empty database.
    const again = await cli(['restore', file], target.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('news-forum: restore failed: The database is not empty: a backup is restored into an empty one only\n');
  }

  // A file written before revoked tokens were backed up (no such rows, none in its counts) still restores.
  const older = path.join(work, 'before-revoked-tokens.ndjson');
  const trailer = JSON.parse(lines.at(-1)!) as { end: true; counts: Record<string, number> };
  delete trailer.counts.revokedTokens;
  await writeFile(
    older,
    `${[...lines.slice(0, -1).filter((line) => !line.includes('"table":"revokedTokens"')), JSON.stringify(trailer)].join('\n')}\n`,
  );
  const olderAdmin = new pg.Client({ connectionString: postgres.url });
  await olderAdmin.connect();
  await olderAdmin.query('CREATE DATABASE older');
  await olderAdmin.end();
  for (const env of [
    { DATA_DIR: path.join(work, 'restored-older') } as Record<string, string>,
    { STORE: 'postgres', DATABASE_URL: postgres.url.replace(/\/postgres$/, '/older') },
  ]) {
    const restored = await cli(['restore', older], env);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toMatch(/, 1 moderation log entries, 0 revoked tokens; post counters recounted\n$/);
  }

  // A data directory without a database is refused, not created and backed up empty.
  const nowhere = path.join(work, 'no-such-data-dir');
  const missing = await cli(['backup', path.join(work, 'nothing.ndjson')], { DATA_DIR: nowhere });
  expect(missing.code).toBe(1);
  expect(missing.stderr).toBe(`news-forum: backup failed: DATA_DIR: ${nowhere} holds no news-forum database\n`);
  expect(existsSync(nowhere)).toBe(false);

  // Never into the data directory of a running node.
  const busy = await cli(['restore', file], { DATA_DIR: node.dataDir });
  expect(busy.code).toBe(1);
  expect(busy.stderr).toBe(`news-forum: restore failed: DATA_DIR: ${node.dataDir} is in use by a running node: stop it before restoring\n`);
  // A file cut short is refused, and leaves the database empty.
  const cut = path.join(work, 'cut.ndjson');
  await execFileAsync('sh', ['-c', `head -n ${Math.floor(lines.length / 2)} "${file}" > "${cut}"`]);
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE DATABASE never');
  await admin.end();
  const never = postgres.url.replace(/\/postgres$/, '/never');
  const partial = await cli(['restore', cut], { STORE: 'postgres', DATABASE_URL: never });
  expect(partial.code).toBe(1);
  expect(partial.stderr).toMatch(
    /^news-forum: restore failed: line \d+ of the backup: the file ends before its last line: it was cut short\n$/,
  );
  const empty = await openStore({ kind: 'postgres', databaseUrl: never });
  expect((await empty.listUsers({ limit: 1 })).items).toEqual([]);
  await empty.close();
}, 240_000);

test('a file cut short or corrupt after its header creates nothing: no data directory, no tables', async () => {
  // The backup the test above wrote.
  const lines = (await readFile(path.join(work, 'forum.ndjson'), 'utf8')).trim().split('\n');
  const half = Math.floor(lines.length / 2);
  const bad = [
    // Cut in the middle of a line, as a copy that stopped.
    {
      name: 'truncated',
      text: `${lines.slice(0, half).join('\n')}\n${lines[half]!.slice(0, 20)}`,
      error: `line ${half + 1} of the backup: not JSON`,
    },
    {
      name: 'corrupt',
      text: `${lines.map((line, i) => (i === 4 ? '{"table":"posts","row":{"id":"x"' : line)).join('\n')}\n`,
      error: 'line 5 of the backup: not JSON',
    },
    // Well formed, but its rows do not fit the tables: only the import finds out.
    {
      name: 'unfit',
      text: `${lines[0]}\n{"table":"users","row":{"name":"bob"}}\n${JSON.stringify({ end: true, counts: { users: 1, posts: 0, comments: 0, votes: 0, idempotencyKeys: 0 } })}\n`,
      error: /^The users rows do not fit: /,
    },
  ];
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  try {
    await admin.query('CREATE DATABASE refused');
  } finally {
    await admin.end();
  }
  const refused = postgres.url.replace(/\/postgres$/, '/refused');
  for (const { name, text, error } of bad) {
    const file = path.join(work, `${name}.ndjson`);
    await writeFile(file, text);
    /** Refused with one line, as before anything is created. */
    const oneLine = ({ code, stdout, stderr }: { code: number; stdout: string; stderr: string }) => {
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toMatch(/^news-forum: restore failed: [^\n]+\n$/);
      const message = stderr.slice('news-forum: restore failed: '.length, -1);
      if (typeof error === 'string') expect(message).toBe(error);
      else expect(message).toMatch(error);
    };
    // A data directory the command would create, below a folder that does not exist either: neither is left behind.
    const created = path.join(work, `never-${name}`);
    oneLine(await cli(['restore', file], { DATA_DIR: path.join(created, 'data') }));
    expect(existsSync(created)).toBe(false);
    // A data directory that existed (empty) stays, and stays empty.
    const existing = path.join(work, `existing-${name}`);
    await mkdir(existing);
    oneLine(await cli(['restore', file], { DATA_DIR: existing }));
    expect(await readdir(existing)).toEqual([]);
    // On PostgreSQL, a file that is not whole creates no table.
    if (name === 'unfit') continue;
    oneLine(await cli(['restore', file], { STORE: 'postgres', DATABASE_URL: refused }));
    const client = new pg.Client({ connectionString: refused });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  }
}, 120_000);

const onRethinkdb = findRethinkdb() ? test : test.skip;

onRethinkdb(
  'the same backup restores into RethinkDB, and a backup taken there holds the same rows',
  async () => {
    const file = path.join(work, 'forum.ndjson');
    const rows = async (name: string) =>
      (await readFile(name, 'utf8'))
        .trim()
        .split('\n')
        .slice(1, -1)
        .map((line) => JSON.stringify(sortKeys(JSON.parse(line))))
        .sort();
    const rethinkdb = await startRethinkdb();
    try {
      const env = { STORE: 'rethinkdb', RETHINKDB_URL: rethinkdb.url('restored') };
      const restored = await cli(['restore', file], env);
      expect(restored.stderr).toBe('');
      expect(restored.stdout).toMatch(/^restored .* \(taken .* from a embedded store\): .*; post counters recounted\n$/);
      const again = path.join(work, 'from-rethinkdb.ndjson');
      const backup = await cli(['backup', again], env);
      expect(backup.stderr).toBe('');
      expect(JSON.parse((await readFile(again, 'utf8')).split('\n')[0]!)).toMatchObject({ store: 'rethinkdb' });
      expect(await rows(again)).toEqual(await rows(file));
      // Another database than the original for clients, as after a restore into the other stores; the same once opened again.
      const store = await openStore({ kind: 'rethinkdb', rethinkdbUrl: env.RETHINKDB_URL });
      const reopened = store.epoch;
      await store.close();
      expect(reopened).toEqual(expect.any(String));
      expect(reopened).not.toBe(original!.epoch);
      const restoredNode = await startNodeProcess(env);
      try {
        expect(await epochsOf(restoredNode.url, original!.postId)).toEqual([reopened, reopened]);
      } finally {
        await terminate(restoredNode.child, 'SIGTERM');
        await restoredNode.cleanup();
      }
    } finally {
      await rethinkdb.stop();
    }
  },
  120_000,
);

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, inner]) => [key, sortKeys(inner)]),
  );
}
