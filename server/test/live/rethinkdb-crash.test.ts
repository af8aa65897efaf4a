import { rm } from 'node:fs/promises';
import type { LivePost } from '@news-forum/protocol';
import { type RunningServer, startServer } from '../../src/server.js';
import { call } from '../support/http-client.js';
import { connectSocket, eventually, subscribe, type TestSocket } from '../support/live-client.js';
import { findRethinkdb, startRethinkdb, type TestRethinkdb } from '../support/rethinkdb.js';
import { RELAXED_LIMITS, TEST_PASSWORD_COST, TEST_SECRET, tempDir } from '../support/server.js';

// Without a binary these tests cannot run; the one line saying so is printed by the jest global setup.
const onRethinkdb = findRethinkdb() ? describe : describe.skip;

/**
 * What a client holds of the front page: the snapshot, then every newer
 * version; when the server asks for a resync (its feed was reopened) it
 * subscribes again and takes the new snapshot, as the SDK does.
 */
function followPosts(socket: TestSocket): { posts: Map<string, LivePost>; ready: Promise<void> } {
  const posts = new Map<string, LivePost>();
  const take = (post: LivePost) => {
    const held = posts.get(post.id);
    if (!held || held.version < post.version) posts.set(post.id, post);
  };
  const resubscribe = async () => {
    const ack = await subscribe(socket, { topic: 'posts', sort: 'new' });
    if (ack.ok && ack.topic === 'posts') for (const post of ack.snapshot) take(post);
  };
  socket.on('poststream', (change) => {
    if (change.new_val) take(change.new_val);
    else if (change.old_val) posts.delete(change.old_val.id);
  });
  socket.on('resync', () => void resubscribe());
  return { posts, ready: resubscribe() };
}

onRethinkdb('an API node on three RethinkDB servers (3 shards × 3 replicas) losing one to kill -9', () => {
  let cluster: TestRethinkdb;
  let node: RunningServer;
  let dataDir: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    cluster = await startRethinkdb(3);
    dataDir = await tempDir();
    node = await startServer({
      env: {
        PORT: '0',
        STORE: 'rethinkdb',
        RETHINKDB_URL: cluster.url('live_crash'),
        RETHINKDB_SHARDS: '3',
        RETHINKDB_REPLICAS: '3',
        JWT_SECRET: TEST_SECRET,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
      },
      passwordCost: TEST_PASSWORD_COST,
      limits: RELAXED_LIMITS,
      strictResponses: true,
    });
  }, 180_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await node?.close();
    await Promise.allSettled([cluster?.stop(), rm(dataDir, { recursive: true, force: true })]);
  });

  /** An HTTP call retried while the node answers 503 (a shard electing a primary), as a client retries. */
  async function retried(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
    for (const deadline = Date.now() + 120_000; ; ) {
      const answer = await call(node.url, method, path, options).catch((error: Error) => {
        // call() refuses every 5xx; a 503 (declared: the store is unavailable) is retried, anything else is the test's.
        if (!/ answered 503: /.test(error.message) || Date.now() > deadline) throw error;
        return undefined;
      });
      if (answer) return answer;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function signUp(login: string): Promise<string> {
    expect((await retried('PUT', `/api/users/${login}`, { body: { password: `${login}-password` } })).status).toBe(201);
    return (await retried('POST', '/api/authenticate', { body: { login, password: `${login}-password` } })).body.token;
  }

  test('votes through HTTP keep being answered, a socket client converges to the database, the server rejoins', async () => {
    const author = await signUp('author');
    const post = (await retried('POST', '/api/posts', { token: author, body: { title: 'through a crash' } })).body;
    const voters = await Promise.all(Array.from({ length: 60 }, (_, i) => signUp(`voter${i}`)));
    const socket = await connectSocket(node.url);
    sockets.push(socket);
    const client = followPosts(socket);
    await client.ready;

    const victim = cluster.servers[2]!;
    const votes = voters.map(async (token, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 20));
      return (await retried('POST', `/api/posts/${post.id}/${i % 3 === 0 ? 'downvotes' : 'upvotes'}`, { token })).status;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await victim.kill();
    expect(await Promise.all(votes)).toEqual(voters.map(() => 200));

    // A vote whose answer the crash lost is recounted by the node in the background; the client ends equal to the database.
    await eventually(
      async () => {
        const stored = (await retried('GET', `/api/posts/${post.id}`)).body;
        const held = client.posts.get(post.id);
        return stored.upvotes === 40 && stored.downvotes === 20 && held?.version === stored.version && held?.upvotes === 40;
      },
      60_000,
      'the client at the database state, every vote counted once',
    );
    const stored = (await retried('GET', `/api/posts/${post.id}`)).body;
    delete stored.myVote;
    expect(client.posts.get(post.id)).toEqual(stored);

    await victim.start();
    await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 200, 60_000, 'the node ready with the server back');
    const after = (await retried('POST', `/api/posts/${post.id}/upvotes`, { token: author })).body;
    expect(after).toMatchObject({ upvotes: 41, downvotes: 20 });
    await eventually(() => (client.posts.get(post.id)?.version ?? 0) >= after.version, 30_000, 'the vote after the rejoin on the client');
  }, 300_000);
});
