import { afterEach, describe, expect, it } from '@jest/globals';
import { deltaOfChange, patchOfChange } from '@news-forum/protocol';
import { createClient, type LivePost, type NewsForumClient, type SubscribeAck, type Topic } from '../src/index.js';
import { post, voted } from './support/fixtures.js';
import { type ScriptedServer, type ScriptedSocket, startScriptedServer } from './support/socket-server.js';
import { waitFor } from './support/wait.js';

let server: ScriptedServer | undefined;
let forum: NewsForumClient | undefined;
afterEach(async () => {
  forum?.close();
  await server?.close();
  forum = server = undefined;
});

const connect = (options: { token?: string } = {}) =>
  (forum = createClient({ baseUrl: server!.url, ackTimeoutMs: 200, retryDelay: () => 20, ...options }));
const postsAck = (snapshot: LivePost[], epoch?: string): SubscribeAck => ({ ok: true, topic: 'posts', snapshot, ...(epoch && { epoch }) });
const titles = (items: readonly LivePost[] | undefined) => items?.map((p) => `${p.title}@${p.version}`);

/** Answers every subscribe through `answer`, after joining the topic's room like the real server. */
function onSubscribe(answer: (topic: Topic, ack: (result: SubscribeAck) => void, socket: ScriptedSocket, count: number) => void) {
  let count = 0;
  return (socket: ScriptedSocket) => {
    socket.on('subscribe', (topic, ack) => {
      void socket.join(topic.topic === 'posts' ? 'posts' : `comments:${topic.postId}`);
      answer(topic, ack, socket, ++count);
    });
  };
}

describe('live protocol against a scripted socket.io server', () => {
  it('delivers the snapshot before the changes that raced it', async () => {
    const a = post({ title: 'a' });
    server = await startScriptedServer(
      onSubscribe((_, ack, socket) => {
        socket.emit('poststream', { old_val: a, new_val: voted(a, 1) });
        setTimeout(() => ack(postsAck([a])), 50);
      }),
    );
    const seen: string[] = [];
    const client = connect();
    client.live.posts.on('snapshot', (docs) => seen.push(`snapshot ${titles(docs)}`));
    client.live.posts.on('change', ({ new_val }) => seen.push(`change ${new_val?.version}`));
    const view = client.live.posts.watch();
    await waitFor('the change', () => seen.length === 2);
    expect(seen).toEqual(['snapshot a@1', 'change 2']);
    expect(titles(view.items)).toEqual(['a@2']);
  });

  it('delivers each version of a document once, however often and late the server sends it', async () => {
    const [a, b] = [post({ title: 'a' }), post({ title: 'b' })];
    server = await startScriptedServer(
      onSubscribe((_, ack, socket) => {
        ack(postsAck([voted(a, 1)]));
        // As two nodes' feeds overlap after a reconnect: a change the snapshot holds, repeats, a late older one.
        for (const change of [
          { old_val: a, new_val: voted(a, 1) },
          { old_val: null, new_val: b },
          { old_val: null, new_val: b },
          { old_val: b, new_val: voted(b, 1) },
          { old_val: a, new_val: voted(a, 0, 1) },
          { old_val: voted(b, 1), new_val: null },
          { old_val: voted(b, 1), new_val: null },
          { old_val: b, new_val: voted(b, 1) },
        ])
          socket.emit('poststream', change);
      }),
    );
    const seen: string[] = [];
    const client = connect();
    client.live.posts.on('change', ({ old_val, new_val }) =>
      seen.push(new_val ? `${new_val.title}@${new_val.version}` : `${old_val?.title} deleted`),
    );
    const view = client.live.posts.watch();
    await waitFor('the deletion', () => seen.includes('b deleted'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['b@1', 'b@2', 'b deleted']);
    expect(titles(view.items)).toEqual(['a@2']);
  });

  it('takes a fresh snapshot when the server reports a gap', async () => {
    const [a, b] = [post({ title: 'a' }), post({ title: 'b' })];
    server = await startScriptedServer(
      onSubscribe((_, ack, socket, count) => {
        ack(postsAck(count === 1 ? [a, b] : [voted(b, 3)]));
        if (count === 1) setTimeout(() => socket.emit('resync', { topic: 'posts' }), 50);
      }),
    );
    const view = connect().live.posts.watch();
    await waitFor('the resync', () => titles(view.items)?.join() === 'b@2');
  });

  it('takes whole the snapshot of a resync that says the database went back, and the changes that reuse the lost versions', async () => {
    const a = post({ title: 'a' });
    const b = post({ title: 'b' });
    server = await startScriptedServer(
      onSubscribe((_, ack, socket, count) => {
        if (count === 1) {
          // Seen: a at version 3 (two votes) and b; the database then loses both votes and b.
          ack(postsAck([voted(voted(a, 1), 2), b]));
          setTimeout(() => socket.emit('resync', { topic: 'posts' }, { rewound: true }), 50);
          return;
        }
        ack(postsAck([a]));
        // Version 2 again, another vote.
        socket.emit('poststream', { old_val: a, new_val: voted(a, 0, 1) });
      }),
    );
    const snapshots: string[] = [];
    const client = connect();
    client.live.posts.on('snapshot', (docs, { rewound }) => snapshots.push(`${rewound ? 'rewound ' : ''}${titles(docs)}`));
    const view = client.live.posts.watch();
    await waitFor('the new vote', () => titles(view.items)?.join() === 'a@2');
    expect(view.items?.[0]).toMatchObject({ upvotes: 0, downvotes: 1 });
    expect(snapshots).toEqual(['a@3,b@1', 'rewound a@1']);
  });

  it('takes whole the first snapshot of another database after a reconnect (a restore), and only then', async () => {
    const [a, b] = [post({ title: 'a' }), post({ title: 'b' })];
    const [a3, b2] = [voted(voted(a, 1), 2), voted(b, 1)];
    server = await startScriptedServer(
      onSubscribe((_, ack, socket, count) => {
        // Away across the restore: the first database held a at version 3 and b; the restored one, a backup's, a at 1.
        // Then a node of the restored database whose snapshot lags: it names that database and a at 1 still.
        const [epoch, snapshot] = count === 1 ? ['first', [a3, b2]] : ['restored', [a]];
        ack(postsAck(snapshot, epoch));
        if (count === 2) socket.emit('poststream', { old_val: a, new_val: voted(a, 0, 1) });
        if (count < 3) setTimeout(() => socket.disconnect(true), 100);
      }),
    );
    const snapshots: string[] = [];
    const client = connect();
    client.live.posts.on('snapshot', (docs, { rewound }) => snapshots.push(`${rewound ? 'rewound ' : ''}${titles(docs)}`));
    const view = client.live.posts.watch();
    await waitFor('the third snapshot', () => snapshots.length === 3, 5000);
    // The restored database's version 2 is news: held at version 3 of the first, it would have been dropped.
    expect(snapshots).toEqual(['a@3,b@2', 'rewound a@1', 'a@1']);
    expect(titles(view.items)).toEqual(['a@2']);
    expect(view.items?.[0]).toMatchObject({ upvotes: 0, downvotes: 1 });
  });

  it('retries a subscription the server did not acknowledge in time, and one it answered with a 5xx', async () => {
    const a = post({ title: 'a' });
    server = await startScriptedServer(
      onSubscribe((_, ack, __, count) => {
        if (count === 2)
          ack({ ok: false, error: { type: 'urn:news-forum:problem:unavailable', title: 'Service unavailable', status: 503 } });
        if (count === 3) ack(postsAck([a]));
      }),
    );
    const client = connect();
    const errors: string[] = [];
    client.live.posts.on('status', ({ status, error }) => errors.push(`${status} ${error?.code ?? ''}`.trim()));
    const view = client.live.posts.watch();
    await waitFor('the third attempt', () => view.items !== undefined);
    expect(errors).toEqual(['connecting', 'connecting timeout', 'connecting api_error', 'live']);
    expect(client.live.posts.status).toBe('live');
  });

  it('ends views on a refused subscription and reports it', async () => {
    server = await startScriptedServer(
      onSubscribe((_, ack) => ack({ ok: false, error: { type: 'urn:news-forum:problem:not-found', title: 'Not found', status: 404 } })),
    );
    const topic = connect().live.comments('00000000-0000-4000-8000-000000000001');
    const refused: number[] = [];
    const view = topic.watch();
    view.subscribe(
      () => {},
      (error) => refused.push(error.status!),
    );
    await waitFor('the refusal', () => view.closed);
    expect(refused).toEqual([404]);
    expect(topic.status).toBe('closed');
  });

  it('lets a new view subscribe again to a topic the server refused before', async () => {
    const notFound = { type: 'urn:news-forum:problem:not-found', title: 'Not found', status: 404 };
    const postId = '00000000-0000-4000-8000-000000000001';
    server = await startScriptedServer(
      onSubscribe((_, ack, __, count) =>
        ack(count <= 2 ? { ok: false, error: notFound } : { ok: true, topic: 'comments', postId, snapshot: [] }),
      ),
    );
    const topic = connect().live.comments(postId);
    // A listener that outlives the refused view keeps the topic's subscription.
    topic.on('status', () => {});
    const first = topic.watch();
    await waitFor('the first refusal', () => first.closed);
    const refused: number[] = [];
    const second = topic.watch();
    second.subscribe(
      () => {},
      (error) => refused.push(error.status!),
    );
    await waitFor('the second refusal', () => second.closed, 3000);
    expect(refused).toEqual([404]);
    const third = topic.watch();
    await waitFor('the snapshot', () => third.items !== undefined);
    expect(third.items).toEqual([]);
    expect(topic.status).toBe('live');
  });

  it('shares one room among posts views, leaving it with the last listener and then closing the socket', async () => {
    const left: Topic[] = [];
    let disconnected = false;
    server = await startScriptedServer((socket) => {
      onSubscribe((topic, ack) => ack(postsAck(topic.topic === 'posts' && topic.sort === 'new' ? [] : [post()])))(socket);
      socket.on('unsubscribe', (topic, ack) => {
        left.push(topic);
        ack({ ok: true });
      });
      socket.on('disconnect', () => (disconnected = true));
    });
    const client = connect();
    // Another room keeps the socket open: the server ignores what arrives just before a disconnect.
    const comments = client.live.comments('00000000-0000-4000-8000-000000000001');
    const stopComments = comments.on('change', () => {});
    const hot = client.live.posts.watch();
    const fresh = client.live.posts.watch({ sort: 'new', limit: 5 });
    await waitFor('both lists', () => hot.items !== undefined && fresh.items !== undefined && comments.status === 'live');
    expect(fresh.items).toEqual([]);
    hot.close();
    fresh.close();
    // A socket delivers in order: had closing `hot` left the room, its unsubscribe would come first.
    await waitFor('leaving', () => left.length > 0);
    expect(left).toEqual([{ topic: 'posts', sort: 'new', limit: 5 }]);
    stopComments();
    await waitFor('the idle socket to close', () => disconnected);
    expect(client.live.status).toBe('closed');
  });

  it('sends the current token on every connect and resubscribes', async () => {
    let subscribes = 0;
    server = await startScriptedServer(
      onSubscribe((_, ack) => {
        subscribes++;
        ack(postsAck([]));
      }),
    );
    const client = connect({ token: 'token-a' });
    client.live.posts.on('change', () => {});
    await waitFor('first subscription', () => subscribes === 1);
    client.setToken('token-b');
    await waitFor('second subscription', () => subscribes === 2);
    client.setToken(undefined);
    await waitFor('third subscription', () => subscribes === 3);
    expect(server.tokens).toEqual(['token-a', 'token-b', undefined]);
  });

  it('reconnects after the server closes the socket, and catches up from the new snapshot', async () => {
    const a = post({ title: 'a' });
    server = await startScriptedServer(
      onSubscribe((_, ack, socket, count) => {
        ack(postsAck(count === 1 ? [a] : [voted(a, 7)]));
        if (count === 1) setTimeout(() => socket.disconnect(true), 50);
      }),
    );
    const client = connect();
    const statuses: string[] = [];
    client.live.on('status', ({ status }) => statuses.push(status));
    const view = client.live.posts.watch();
    await waitFor('the new snapshot', () => titles(view.items)?.join() === 'a@2');
    expect(statuses).toEqual(['connecting', 'live', 'reconnecting', 'live']);
    expect(server.tokens).toHaveLength(2);
  });

  it('converges after a reconnect to a node whose snapshot lacks a change already streamed', async () => {
    const [a, b, c] = [post({ title: 'a' }), post({ title: 'b' }), post({ title: 'c' })];
    server = await startScriptedServer(
      onSubscribe((_, ack, socket, count) => {
        // Both nodes stream b's insert and c's delete; the second takes its snapshot before it has seen them.
        ack(postsAck([a, c]));
        socket.emit('poststream', { old_val: null, new_val: b });
        socket.emit('poststream', { old_val: c, new_val: null });
        if (count === 1) setTimeout(() => socket.disconnect(true), 50);
      }),
    );
    const client = connect();
    const seen: string[] = [];
    client.live.posts.on('change', ({ old_val, new_val }) =>
      seen.push(new_val ? `${new_val.title}@${new_val.version}` : `${old_val?.title} deleted`),
    );
    const view = client.live.posts.watch({ sort: 'new' });
    await waitFor('the insert of b from the second node', () => seen.length === 3, 3000);
    // The snapshot lacked b, so its insert is news again; it held c, whose deletion was already delivered.
    expect(seen).toEqual(['b@1', 'c deleted', 'b@1']);
    expect(titles(view.items)).toEqual(['b@1', 'a@1']);
  });

  it('asks for patches, applies each to the post it was last sent, and subscribes again when one finds its post missing', async () => {
    const [a, b] = [post({ title: 'a' }), post({ title: 'b' })] as [LivePost, LivePost];
    const [a2, a3, b2, b3] = [voted(a, 1), voted(voted(a, 1), 2), voted(b, 1), voted(voted(b, 1), 2)];
    const auths: unknown[] = [];
    server = await startScriptedServer(
      onSubscribe((_, ack, socket, count) => {
        auths.push(socket.handshake.auth);
        if (count === 1) {
          ack(postsAck([a, b]));
          // b's patch builds on a version this socket was never sent: a change went missing.
          socket.emit('postpatches', [
            deltaOfChange({ old_val: a, new_val: a2 }),
            patchOfChange({ old_val: a2, new_val: a3 })!,
            patchOfChange({ old_val: b2, new_val: b3 })!,
          ]);
        } else {
          ack(postsAck([a3, b3]));
        }
      }),
    );
    const seen: string[] = [];
    const client = connect();
    client.live.posts.on('change', ({ old_val, new_val }) => seen.push(`${old_val?.title}@${old_val?.version}→${new_val?.version}`));
    const view = client.live.posts.watch();
    await waitFor('the second snapshot', () => auths.length === 2 && titles(view.items)?.sort().join() === 'a@3,b@3');
    expect(auths[0]).toMatchObject({ batch: 'patches' });
    // The patch of a came whole, as the change the server saw; the one of b was not delivered as anything.
    expect(seen).toEqual(['a@1→2', 'a@2→3']);
  });
});
