import {
  type Change,
  type ClientToServerEvents,
  changeOfDelta,
  type Delta,
  HeldDocuments,
  isPatch,
  type LivePost,
  type PatchOrDelta,
  type ServerToClientEvents,
} from '@news-forum/protocol';
import { io, type Socket } from 'socket.io-client';
import { applyChanges, connectSocket, eventually, record, subscribe, type TestSocket } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

// A wide batch window whatever sending costs, so that a burst of votes falls inside it however slow the machine is today.
let t: TestServer;
let author: string;
let voters: string[];
const sockets: (TestSocket | Socket<ServerToClientEvents, ClientToServerEvents>)[] = [];

beforeAll(async () => {
  t = await startTestServer({ gateway: { batchMs: 500, batchCostFactor: Number.POSITIVE_INFINITY } });
  author = await t.signUp('batch-author');
  voters = await Promise.all(Array.from({ length: 30 }, (_, i) => t.signUp(`batch-voter${i}`)));
}, 60_000);
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await t.cleanup();
});

/** A client that asks for batches (of changes, of deltas, of patches as the SDK does); records each message of posts. */
async function batchingClient(batch: unknown = true) {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(t.url, {
    auth: { batch },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const batches: Change<LivePost>[][] = [];
  const singles: Change<LivePost>[] = [];
  const deltas: Delta<LivePost>[][] = [];
  const patches: PatchOrDelta<LivePost>[][] = [];
  socket.on('poststreams', (changes) => batches.push(changes));
  socket.on('poststream', (change) => singles.push(change));
  socket.on('postdeltas', (batch) => deltas.push(batch));
  socket.on('postpatches', (batch) => patches.push(batch));
  return { socket, batches, singles, deltas, patches };
}

/** The changes `postpatches` batches carry, each patch applied to the post as it was last sent; null where one does not apply. */
function changesOfPatches(batches: PatchOrDelta<LivePost>[][]): (Change<LivePost> | null)[][] {
  const held = new HeldDocuments<LivePost>();
  return batches.map((batch) => batch.map((item) => held.changeOf(item) ?? null));
}

test('a batching client gets every change of a burst exactly once and in version order, in fewer messages; a plain client still gets one poststream each', async () => {
  const posts = await Promise.all(
    [1, 2, 3].map(async (n) => (await t.call('POST', '/api/posts', { token: author, body: { title: `batched ${n}` } })).body),
  );
  const batching = await batchingClient();
  const batchAck = await subscribe(batching.socket as TestSocket, { topic: 'posts', sort: 'new', limit: 30 });
  const plain = await connectSocket(t.url);
  sockets.push(plain);
  await subscribe(plain, { topic: 'posts', sort: 'new', limit: 30 });
  const plainChanges = record(plain, 'poststream');

  await Promise.all(voters.flatMap((token) => posts.map((post) => t.call('POST', `/api/posts/${post.id}/upvotes`, { token }))));
  const finals = await Promise.all(posts.map(async (post) => (await t.call('GET', `/api/posts/${post.id}`)).body));
  const received = () => batching.batches.flat();
  const holdsFinals = (changes: Change<LivePost>[]) =>
    finals.every((final) => changes.some((c) => c.new_val !== null && c.new_val.id === final.id && c.new_val.version === final.version));
  await eventually(() => holdsFinals(received()) && holdsFinals(plainChanges), 15_000, 'both clients at the final versions');

  expect(batching.singles).toEqual([]);
  expect(batching.batches.length).toBeLessThan(received().length);
  for (const post of posts) {
    const versions = received()
      .filter((c) => c.new_val?.id === post.id)
      .map((c) => c.new_val!.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
  }
  const state = applyChanges(batchAck.ok && batchAck.topic === 'posts' ? batchAck.snapshot : [], received());
  for (const final of finals) {
    delete final.myVote;
    expect(state.get(final.id)).toEqual(final);
    expect(final.upvotes).toBe(voters.length);
  }
}, 60_000);

test('a batching client that unsubscribes gets no more batches', async () => {
  const post = (await t.call('POST', '/api/posts', { token: author, body: { title: 'batched, then quiet' } })).body;
  const batching = await batchingClient();
  await subscribe(batching.socket as TestSocket, { topic: 'posts' });
  await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: voters[0] });
  await eventually(() => batching.batches.flat().some((c) => c.new_val?.id === post.id), 5000, 'a first batch');
  expect(await batching.socket.timeout(5000).emitWithAck('unsubscribe', { topic: 'posts' })).toEqual({ ok: true });
  const seen = batching.batches.length;
  // A second batching client proves the next change was sent; the first must not get it.
  const probe = await batchingClient();
  await subscribe(probe.socket as TestSocket, { topic: 'posts' });
  await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: voters[1] });
  await eventually(() => probe.batches.flat().some((c) => c.new_val?.id === post.id), 5000, 'the probe');
  expect(batching.batches.length).toBe(seen);
});

test('a client that asks for deltas gets the same batches as postdeltas, in fewer bytes, and nothing else', async () => {
  const post = (await t.call('POST', '/api/posts', { token: author, body: { title: 'batched as deltas' } })).body;
  const changes = await batchingClient();
  const deltas = await batchingClient('deltas');
  for (const client of [changes, deltas]) await subscribe(client.socket as TestSocket, { topic: 'posts', sort: 'new', limit: 30 });

  await Promise.all(voters.slice(0, 10).map((token) => t.call('POST', `/api/posts/${post.id}/upvotes`, { token })));
  const final = (await t.call('GET', `/api/posts/${post.id}`)).body;
  const reached = (batches: Change<LivePost>[][]) =>
    batches.flat().some(({ new_val: doc }) => doc !== null && doc.id === post.id && doc.version === final.version);
  await eventually(
    () => reached(changes.batches) && reached(deltas.deltas.map((batch) => batch.map(changeOfDelta))),
    15_000,
    'both clients at the final version',
  );

  expect(deltas.batches).toEqual([]);
  expect(deltas.singles).toEqual([]);
  expect(deltas.patches).toEqual([]);
  expect(changes.deltas).toEqual([]);
  expect(deltas.deltas.map((batch) => batch.map(changeOfDelta))).toEqual(changes.batches);
  // Updates travel as the new post and the old values of what changed: no whole old post.
  const sent = changes.batches.flat();
  const updates = deltas.deltas
    .flat()
    .flatMap((delta, i) => ('new_val' in delta && delta.was !== undefined ? [{ delta, change: sent[i] }] : []));
  expect(updates.length).toBeGreaterThan(0);
  for (const { delta, change } of updates) {
    expect(delta).not.toHaveProperty('old_val');
    expect(delta).toMatchObject({ was: { upvotes: expect.any(Number), version: expect.any(Number) } });
    expect(JSON.stringify(delta).length).toBeLessThan(0.7 * JSON.stringify(change).length);
  }
}, 60_000);

test('a client that asks for patches is sent each post whole once after subscribing, then its votes as patches; a newcomer makes the next change whole again', async () => {
  const post = (await t.call('POST', '/api/posts', { token: author, body: { title: 'batched as patches' } })).body;
  const changes = await batchingClient();
  const patched = await batchingClient('patches');
  for (const client of [changes, patched]) await subscribe(client.socket as TestSocket, { topic: 'posts', sort: 'new', limit: 30 });
  const reached = (batches: (Change<LivePost> | null)[][], version: number) =>
    batches.flat().some((change) => change?.new_val?.id === post.id && change?.new_val?.version === version);
  const itemsOf = (client: typeof patched) =>
    client.patches.flat().filter((item) => (isPatch(item) ? item.id : changeOfDelta(item).new_val?.id) === post.id);

  const first = (await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: voters[0] })).body;
  await eventually(() => reached(changesOfPatches(patched.patches), first.version), 5000, 'the first vote');
  await Promise.all(voters.slice(1, 10).map((token) => t.call('POST', `/api/posts/${post.id}/upvotes`, { token })));
  const final = (await t.call('GET', `/api/posts/${post.id}`)).body;
  await eventually(
    () => reached(changes.batches, final.version) && reached(changesOfPatches(patched.patches), final.version),
    15_000,
    'both clients at the final version',
  );
  expect({ batches: patched.batches, deltas: patched.deltas, singles: patched.singles }).toEqual({ batches: [], deltas: [], singles: [] });
  expect(changes.patches).toEqual([]);
  // Applied to what the socket was sent, the patches give the very changes the batches of changes carried.
  expect(changesOfPatches(patched.patches)).toEqual(changes.batches);
  const items = itemsOf(patched);
  expect(items.length).toBeGreaterThan(1);
  expect(isPatch(items[0]!)).toBe(false);
  for (const item of items.slice(1)) {
    expect(item).toEqual({
      id: post.id,
      base: expect.any(Number),
      set: { upvotes: expect.any(Number), score: expect.any(Number), version: expect.any(Number) },
    });
  }

  // A socket that subscribes holds nothing yet: the next change goes whole, to it and to the others.
  const late = await batchingClient('patches');
  await subscribe(late.socket as TestSocket, { topic: 'posts', sort: 'new', limit: 30 });
  const next = (await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: voters[10] })).body;
  await eventually(
    () => reached(changesOfPatches(late.patches), next.version) && reached(changesOfPatches(patched.patches), next.version),
    5000,
    'the vote after the newcomer',
  );
  expect(isPatch(itemsOf(late).at(-1)!)).toBe(false);
  expect(isPatch(itemsOf(patched).at(-1)!)).toBe(false);
  expect(changesOfPatches(late.patches).flat()).not.toContain(null);
}, 60_000);

test('a client that asks for batches of another kind (a typo, a number) gets every change one by one', async () => {
  const post = (await t.call('POST', '/api/posts', { token: author, body: { title: 'an unknown batch kind' } })).body;
  const clients = await Promise.all(['Deltas', 1, { kind: 'deltas' }].map((batch) => batchingClient(batch)));
  for (const client of clients) await subscribe(client.socket as TestSocket, { topic: 'posts', sort: 'new', limit: 30 });
  const voted = (await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: voters[2] })).body;
  await eventually(
    () =>
      clients.every((client) =>
        client.singles.some(({ new_val: doc }) => doc !== null && doc.id === post.id && doc.version === voted.version),
      ),
    5000,
    'the vote, one by one, at every client',
  );
  for (const client of clients) expect({ batches: client.batches, deltas: client.deltas }).toEqual({ batches: [], deltas: [] });
});

test('a view switched in one tick (unsubscribe, then subscribe) keeps its socket in every room of the topic', async () => {
  const post = (await t.call('POST', '/api/posts', { token: author, body: { title: 'switched views' } })).body;
  const switching = await batchingClient('patches');
  await subscribe(switching.socket as TestSocket, { topic: 'posts', sort: 'hot' });
  // As the SDK does when a view of another sort replaces the last one: the unsubscribe is not waited for.
  switching.socket.timeout(5000).emit('unsubscribe', { topic: 'posts', sort: 'hot' }, () => {});
  await subscribe(switching.socket as TestSocket, { topic: 'posts', sort: 'new' });
  await t.call('POST', `/api/posts/${post.id}/upvotes`, { token: voters[0] });
  await eventually(
    () =>
      changesOfPatches(switching.patches).some((batch) =>
        batch.some((change) => change?.new_val?.id === post.id && change?.new_val?.upvotes === 1),
      ),
    10_000,
    'the vote as a patch after the switch',
  );
});
