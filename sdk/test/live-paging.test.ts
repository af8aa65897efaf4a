import { beforeAll, describe, expect, it } from '@jest/globals';
import { startProxy } from '../../chaos/proxy.mjs';
import { type Change, type Comment, createClient, type NewsForumClient, type Post } from '../src/index.js';
import { useForumServer } from './support/forum-server.js';
import { firstMatching, waitFor } from './support/wait.js';

const forum = useForumServer();
const { client, signUp } = forum;

/** Creates comments on `post`, 20 at a time; resolves with all its comments in the API's order. */
async function addComments(author: NewsForumClient, post: Post, texts: string[]): Promise<Comment[]> {
  for (let i = 0; i < texts.length; i += 20) {
    const batch = await Promise.all(texts.slice(i, i + 20).map((text) => author.comments.create(post.id, { text })));
    for (const { error } of batch) if (error) throw error;
  }
  return listAll(author, post.id);
}

async function listAll(forum: NewsForumClient, postId: string): Promise<Comment[]> {
  const all: Comment[] = [];
  for await (const comment of forum.comments.all(postId)) all.push(comment);
  return all;
}

/** A fetch that holds the answers to comment pages after the first until `release()`, and counts them. */
function heldPages() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held = { count: 0, release };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname.startsWith('/api/comments/') && url.searchParams.has('cursor')) {
      held.count += 1;
      await gate;
    }
    return response;
  };
  return { fetch, held };
}

describe('loadMore() of a comments view, against a real server', () => {
  let author: NewsForumClient;
  let post: Post;
  let existing: Comment[];

  beforeAll(async () => {
    author = await signUp('pager');
    const { data, error } = await author.posts.create({ title: 'A long thread' });
    if (error) throw error;
    post = data;
    existing = await addComments(
      author,
      post,
      Array.from({ length: 230 }, (_, i) => `old ${String(i).padStart(3, '0')}`),
    );
  }, 60_000);

  it('pages in the comments beyond the snapshot while new ones arrive live, and keeps deleted ones out', async () => {
    const { fetch, held } = heldPages();
    const reader = client({ fetch });
    const view = reader.live.comments(post.id).watch();
    await waitFor('the snapshot', () => view.items !== undefined);
    expect(view.items).toHaveLength(200);
    expect(view.hasMore).toBe(true);

    const early = (await author.comments.create(post.id, { text: 'live before paging' })).data!;
    await waitFor('the live comment', () => view.items?.at(-1)?.id === early.id);

    const loading = view.loadMore();
    expect(view.loadMore()).toBe(loading);
    await waitFor('the second page to be read and held', () => held.count === 1);
    // The held page still has this comment: the delete streamed meanwhile must win.
    const doomed = existing[215]!;
    const deleted = firstMatching<Change<Comment>>(
      (listener) => reader.live.comments(post.id).on('change', listener),
      (change) => change.old_val?.id === doomed.id && change.new_val === null,
    );
    expect((await author.comments.delete(post.id, doomed.id)).error).toBeUndefined();
    await deleted;
    const late = (await author.comments.create(post.id, { text: 'live while paging' })).data!;
    await waitFor('the second live comment', () => view.items?.at(-1)?.id === late.id);
    held.release();

    const { data: added, error } = await loading;
    expect(error).toBeUndefined();
    const beyond = existing.slice(200).filter((c) => c.id !== doomed.id);
    expect(added!.map((c) => c.text)).toEqual(beyond.map((c) => c.text));
    expect(view.hasMore).toBe(false);
    expect(view.items!.map((c) => c.id)).toEqual((await listAll(author, post.id)).map((c) => c.id));
    expect(view.items!.some((c) => c.id === doomed.id)).toBe(false);

    // A paged comment is streamed like the others once held.
    const paged = beyond[3]!;
    await author.comments.delete(post.id, paged.id);
    await waitFor('the paged comment to go', () => !view.items!.some((c) => c.id === paged.id));
    expect(await view.loadMore()).toEqual({ data: [], error: undefined });
    view.close();
  }, 60_000);

  it('has nothing more to load when the snapshot was not cut, and asks the server nothing', async () => {
    const { data: short } = await author.posts.create({ title: 'A short thread' });
    await addComments(author, short!, ['only one']);
    let pages = 0;
    const reader = client({
      fetch: (input, init) => {
        if (String(input).includes('/api/comments/')) pages++;
        return globalThis.fetch(input, init);
      },
    });
    const view = reader.live.comments(short!.id).watch();
    await waitFor('the snapshot', () => view.items?.length === 1);
    expect(view.hasMore).toBe(false);
    expect(await view.loadMore()).toEqual({ data: [], error: undefined });
    expect(pages).toBe(0);
    view.close();
  });

  it('reports a failed page as an error and leaves the view as it was', async () => {
    const reader = client({
      maxRetries: 0,
      fetch: (input, init) =>
        String(input).includes('/api/comments/') ? Promise.reject(new TypeError('offline')) : globalThis.fetch(input, init),
    });
    const view = reader.live.comments(post.id).watch();
    await waitFor('the snapshot', () => view.items?.length === 200);
    const before = view.items;
    const { data, error } = await view.loadMore();
    expect(data).toBeUndefined();
    expect(error).toMatchObject({ code: 'network_error' });
    expect(view.items).toBe(before);
    expect(view.hasMore).toBe(true);
    view.close();
  });
});

/** A fetch whose comment pages fail (no answer) from `start()` until `end()`, counting the failures. */
function pageOutage() {
  const outage = {
    down: false,
    failures: 0,
    start: () => (outage.down = true),
    end: () => (outage.down = false),
    fetch: ((input, init) => {
      if (outage.down && String(input instanceof Request ? input.url : input).includes('/api/comments/')) {
        outage.failures += 1;
        return Promise.reject(new TypeError('offline'));
      }
      return globalThis.fetch(input, init);
    }) as typeof globalThis.fetch,
  };
  return outage;
}

interface ThreadSpec {
  login: string;
  title: string;
  /** Comments on the post before the reader watches it. */
  count: number;
  /** The reader's fetch, when not the global one. */
  fetch?: typeof globalThis.fetch;
}

/**
 * Runs `body` with a post holding `count` comments by a new author, and a view of them (at its first snapshot) by
 * a reader that reaches the server through a proxy that can be cut; closes them after.
 */
async function withThreadBehindProxy(
  { login, title, count, fetch }: ThreadSpec,
  body: (thread: Awaited<ReturnType<typeof threadBehindProxy>>) => Promise<void>,
): Promise<void> {
  const thread = await threadBehindProxy(login, title, count, fetch);
  try {
    await waitFor('the snapshot', () => thread.view.items?.length === Math.min(count, 200));
    await body(thread);
  } finally {
    thread.reader.close();
    await thread.proxy.close();
  }
}

async function threadBehindProxy(login: string, title: string, count: number, fetch?: typeof globalThis.fetch) {
  const author = await signUp(login);
  const { data: post, error } = await author.posts.create({ title });
  if (error) throw error;
  const existing = await addComments(
    author,
    post,
    Array.from({ length: count }, (_, i) => `before ${String(i).padStart(3, '0')}`),
  );
  const proxy = await startProxy({ host: '127.0.0.1', port: forum.server.port });
  const reader = createClient({
    baseUrl: `http://127.0.0.1:${proxy.port}`,
    ...(fetch && { fetch }),
    retryDelay: () => 100,
    socket: { reconnectionDelay: 100, reconnectionDelayMax: 200 },
  });
  const view = reader.live.comments(post.id).watch();
  return {
    author,
    post,
    existing,
    proxy,
    reader,
    view,
    /** Pages the view to the end of the thread. */
    async pageToEnd() {
      while (view.hasMore) expect((await view.loadMore()).error).toBeUndefined();
      expect(view.items).toHaveLength(count);
    },
    /** Cuts the reader's connection, runs `during` (as the author), then lets the reader reconnect. */
    async gap(during: () => Promise<void>) {
      proxy.cut();
      await waitFor('the reader to lose its socket', () => reader.live.status !== 'live');
      await during();
      proxy.restore();
    },
    /** Waits until the view shows the thread as the API lists it, which must be `length` long, with nothing more to page. */
    async untilWhole(length: number) {
      const expected = (await listAll(author, post.id)).map((c) => c.id);
      expect(expected).toHaveLength(length);
      await waitFor(
        'the view to equal the thread',
        () => JSON.stringify(view.items?.map((c) => c.id)) === JSON.stringify(expected),
        15_000,
      );
      expect(view.hasMore).toBe(false);
    },
  };
}

describe('a comments view paged beyond its snapshot, across a gap in the stream', () => {
  it('of a whole thread that passes the snapshot size during the gap, pages in the comments created then', async () => {
    await withThreadBehindProxy({ login: 'grower', title: 'A thread that grows during a gap', count: 195 }, async (thread) => {
      const { author, post, view, gap, untilWhole } = thread;
      expect(view.hasMore).toBe(false);
      const added: Comment[] = [];
      await gap(async () => {
        for (let i = 0; i < 10; i++) added.push((await author.comments.create(post.id, { text: `during the gap ${i}` })).data!);
      });

      // The new snapshot is cut at 200 and the view held nothing past its last: the last 5 come from the pages.
      await untilWhole(205);
      expect(view.items!.slice(-10).map((c) => c.text)).toEqual(added.map((c) => c.text));
    });
  }, 90_000);

  it('drops the paged comments deleted during the gap and adds those created then', async () => {
    await withThreadBehindProxy({ login: 'gapper', title: 'A thread across a gap', count: 230 }, async (thread) => {
      const { author, post, existing, view, gap, pageToEnd, untilWhole } = thread;
      await pageToEnd();
      const [gone1, gone2] = [existing[210]!, existing[225]!];
      const added: Comment[] = [];
      await gap(async () => {
        for (const doomed of [gone1, gone2]) expect((await author.comments.delete(post.id, doomed.id)).error).toBeUndefined();
        for (const text of ['during the gap 1', 'during the gap 2']) added.push((await author.comments.create(post.id, { text })).data!);
      });

      await untilWhole(230);
      expect(view.items!.some((c) => c.id === gone1.id || c.id === gone2.id)).toBe(false);
      expect(view.items!.slice(-2).map((c) => c.text)).toEqual(added.map((c) => c.text));
    });
  }, 90_000);

  it('asks for the pages again after they fail for longer than one call retries, and converges once they answer', async () => {
    const outage = pageOutage();
    const spec = { login: 'retrier', title: 'A thread whose pages fail after a gap', count: 230, fetch: outage.fetch };
    await withThreadBehindProxy(spec, async (thread) => {
      const { author, post, existing, reader, view, gap, pageToEnd, untilWhole } = thread;
      await pageToEnd();
      const gone = existing[220]!;
      let added: Comment | undefined;
      await gap(async () => {
        expect((await author.comments.delete(post.id, gone.id)).error).toBeUndefined();
        added = (await author.comments.create(post.id, { text: 'during the gap' })).data;
        outage.start();
      });

      // One call makes 3 attempts (maxRetries 2): twice that many failures means the view itself asked again.
      await waitFor('the pages to fail beyond one call retries', () => outage.failures >= 6, 15_000);
      await waitFor('the new snapshot', () => reader.live.status === 'live');
      expect(view.items!.some((c) => c.id === gone.id)).toBe(true);
      outage.end();

      await untilWhole(230);
      expect(view.items!.some((c) => c.id === gone.id)).toBe(false);
      expect(view.items!.at(-1)?.id).toBe(added?.id);
    });
  }, 90_000);

  it('stops asking for the failing pages once the view is closed', async () => {
    const outage = pageOutage();
    const spec = { login: 'quitter', title: 'A thread closed while its pages fail', count: 195, fetch: outage.fetch };
    await withThreadBehindProxy(spec, async ({ author, post, view, gap }) => {
      await gap(async () => {
        for (let i = 0; i < 10; i++) expect((await author.comments.create(post.id, { text: `during the gap ${i}` })).error).toBeUndefined();
        outage.start();
      });
      await waitFor('the pages to fail beyond one call retries', () => outage.failures >= 6, 15_000);
      view.close();
      const failures = outage.failures;
      // Well past the 100 ms between retries.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(outage.failures).toBe(failures);
    });
  }, 90_000);
});
