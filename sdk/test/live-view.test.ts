import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { commentOrder, postOrder } from '@news-forum/protocol';
import type { Change, Comment, LivePost, Page, Result, TopicEvents } from '../src/index.js';
import { Emitter } from '../src/live/emitter.js';
import { TopicView, type ViewSource } from '../src/live/live-view.js';
import { comment, post, voted } from './support/fixtures.js';

/** A topic the test drives by hand, through the emitter its feed uses. */
function fakeSource<T>() {
  const events = new Emitter<TopicEvents<T>>();
  const source: ViewSource<T> = { on: (event, listener) => events.on(event, listener), refresh() {} };
  return {
    source,
    snapshot: (docs: T[], rewound = false) => events.emit('snapshot', docs, { rewound }),
    change: (change: Change<T>) => events.emit('change', change),
  };
}

/** Comment pages answered by hand, in the order they were asked for. */
function heldPages() {
  const asked: { cursor: string | undefined; answer: (page: Page<Comment>) => void }[] = [];
  const pages = (cursor: string | undefined) =>
    new Promise<Result<Page<Comment>>>((resolve) =>
      asked.push({ cursor, answer: (page) => resolve({ data: page, error: undefined, response: new Response() }) }),
    );
  return { asked, pages };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  jest.restoreAllMocks();
});

describe('TopicView', () => {
  it('keeps notifying the other subscribers, and handling the snapshot, when one subscriber throws', () => {
    const rethrown: (() => void)[] = [];
    jest.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => rethrown.push(task));
    const topic = fakeSource<LivePost>();
    const view = new TopicView(topic.source, { compare: postOrder('hot') }, {});
    const a = post({ title: 'a' });
    view.subscribe(() => {
      throw new Error('render failed');
    });
    const seen: number[] = [];
    view.subscribe((items) => seen.push(items[0]!.version));
    topic.snapshot([a]);
    topic.change({ old_val: a, new_val: voted(a, 1) });
    expect(seen).toEqual([1, 2]);
    expect(rethrown).toHaveLength(2);
    expect(rethrown[0]).toThrow('render failed');
  });

  it('drops a page asked for before a new snapshot, which may hold comments deleted meanwhile', async () => {
    const topic = fakeSource<Comment>();
    const { asked, pages } = heldPages();
    const spec = { compare: commentOrder, snapshotLimit: 2 };
    const view = new TopicView(topic.source, spec, { paging: { pages, retryDelay: () => 0 } });
    const postId = post().id;
    const [x, y, z] = [comment(postId), comment(postId), comment(postId)];
    topic.snapshot([x, y]);
    const loading = view.loadMore();
    await settle();
    asked[0]!.answer({ items: [x, y], nextCursor: 'second' });
    await settle();
    expect(asked.map((a) => a.cursor)).toEqual([undefined, 'second']);
    // The socket reconnects while the second page is on its way; z is deleted during the gap.
    topic.snapshot([x, y]);
    asked[1]!.answer({ items: [z], nextCursor: null });
    await settle();
    expect(view.items).toEqual([x, y]);
    // The page is asked for again, now after the snapshot.
    expect(asked.map((a) => a.cursor)).toEqual([undefined, 'second', 'second']);
    asked[2]!.answer({ items: [], nextCursor: null });
    expect(await loading).toEqual({ data: [], error: undefined });
    expect(view.items).toEqual([x, y]);
    expect(view.hasMore).toBe(false);
  });
});
