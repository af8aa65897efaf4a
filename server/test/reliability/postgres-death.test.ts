import { connectSocket, eventually, record, subscribe, type TestSocket } from '../support/live-client.js';
import { type NodeProcess, startNodeProcess } from '../support/node-process.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let pg: TestPostgres;
let node: NodeProcess;
let socket: TestSocket | undefined;

beforeAll(async () => {
  pg = await startPostgres();
  node = await startNodeProcess({ STORE: 'postgres', DATABASE_URL: pg.url });
}, 90_000);

afterAll(async () => {
  socket?.close();
  await node?.cleanup();
  await pg?.stop();
});

const pause = (ms: number) => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), ms));

async function post(token: string, title: string): Promise<Response> {
  return fetch(`${node.url}/api/posts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title, text: 'burst' }),
  });
}

async function signUp(login: string): Promise<string> {
  const password = `${login}-password`;
  const headers = { 'content-type': 'application/json' };
  const created = await fetch(`${node.url}/api/users/${login}`, { method: 'PUT', headers, body: JSON.stringify({ password }) });
  expect(created.status).toBe(201);
  const session = await fetch(`${node.url}/api/authenticate`, { method: 'POST', headers, body: JSON.stringify({ login, password }) });
  return ((await session.json()) as { token: string }).token;
}

test('PostgreSQL killed during a burst of writes: the node stays up, answers 503, and recovers when it returns', async () => {
  const tokens = await Promise.all(['burst-a', 'burst-b', 'burst-c', 'burst-d'].map(signUp));
  // Accounts of their own for after the restart: the burst used up much of its accounts' write limits.
  const [later1, later2] = await Promise.all(['after-a', 'after-b'].map(signUp));
  socket = await connectSocket(node.url);
  expect(await subscribe(socket, { topic: 'posts', sort: 'new' })).toMatchObject({ ok: true });
  const changes = record(socket, 'poststream');
  // As the SDK does: told to resync, the client takes a new snapshot.
  const snapshots: { id: string }[][] = [];
  socket.on('resync', async () => {
    const ack = await subscribe(socket!, { topic: 'posts', sort: 'new' });
    if (ack.ok && ack.topic === 'posts') snapshots.push(ack.snapshot);
  });
  const heard = (id: string) => changes.some((change) => change.new_val?.id === id) || snapshots.some((s) => s.some((p) => p.id === id));

  // Concurrent writers, each many transactions in a row, so connections are mid-transaction when the database dies.
  let running = true;
  let succeeded = 0;
  let unavailable = 0;
  const statuses = new Set<number>();
  const writers = tokens.flatMap((token, i) =>
    [0, 1, 2, 3].map(async (j) => {
      for (let n = 0; running; n++) {
        try {
          const r = await post(token, `burst ${i}.${j}.${n}`);
          statuses.add(r.status);
          if (r.status === 201) succeeded++;
          if (r.status === 503) unavailable++;
          await r.arrayBuffer();
          // Failures come fast: do not let them spend the node's rate limits.
          if (r.status !== 201) await pause(100);
        } catch {
          statuses.add(0);
          await pause(100);
        }
      }
    }),
  );
  await eventually(() => succeeded >= 20, 20_000, 'writes to succeed');
  await pg.kill();
  // Keep writing against the dead database for a while.
  await eventually(() => statuses.has(503) || node.child.exitCode !== null, 15_000, 'a 503');
  await new Promise((resolve) => setTimeout(resolve, 500));
  running = false;
  await Promise.all(writers);

  expect({ exitCode: node.child.exitCode, signal: node.child.signalCode, stderr: node.stderr() }).toEqual({
    exitCode: null,
    signal: null,
    stderr: '',
  });
  expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
  const ready = await fetch(`${node.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(((await ready.json()) as { checks: Record<string, string> }).checks.store).toBe('fail');
  const down = await post(later1!, 'while down');
  expect(down.status).toBe(503);
  expect(down.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  // Each 503 does not log a line of its own: one every few seconds, saying how many it left out.
  const outageLines = node.logs.filter((line) => line.msg === 'database unavailable');
  expect(unavailable).toBeGreaterThan(10);
  expect(outageLines.length).toBeGreaterThanOrEqual(1);
  expect(outageLines.length).toBeLessThan(unavailable / 5);
  // The contract's ServiceUnavailable: when to try again.
  expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await down.json()).toMatchObject({ type: 'urn:news-forum:problem:unavailable', status: 503 });

  await pg.restart();
  let recovered: { id: string } | undefined;
  await eventually(
    async () => {
      const r = await post(later1!, 'after the restart');
      if (r.status === 201) recovered = (await r.json()) as { id: string };
      else await r.arrayBuffer().then(() => pause(200));
      return recovered !== undefined;
    },
    30_000,
    'writes to succeed again',
  );
  await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 200 || !(await pause(200)), 15_000, 'the node to be ready');
  // The change feed resumed: the live client hears of the writes made after the restart, as a
  // change or, when the feed found commits of before the crash undone, in the snapshot of a resync.
  const once = await post(later2!, 'once ready');
  expect(once.status).toBe(201);
  const later = (await once.json()) as { id: string };
  await eventually(() => heard(later.id) && heard(recovered!.id), 15_000, 'the change feed to resume');
  expect(node.child.exitCode).toBeNull();
}, 90_000);
