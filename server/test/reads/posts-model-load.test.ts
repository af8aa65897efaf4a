import { describe, expect, test } from '@jest/globals';
import { POST_SORTS } from '@news-forum/protocol';
import { createLogger } from '../../src/logger.js';
import { PostsModel } from '../../src/reads/posts-model.js';
import type { Store, StoredPost } from '../../src/store/store.js';
import { createUsers, STORE_KINDS, storeFixture } from '../support/store-adapters.js';

/** A real store whose reads of the first posts of each sort answer only after `open()`, as a slow database would. */
function gatedReads(target: Store) {
  let open = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  let read = 0;
  let entered = () => {};
  const reading = new Promise<void>((resolve) => (entered = resolve));
  const store = new Proxy(target, {
    get(object, property) {
      if (property === 'listPosts')
        return async (...args: Parameters<Store['listPosts']>) => {
          const page = await object.listPosts(...args);
          if (++read === POST_SORTS.length) entered();
          await gate;
          return page;
        };
      const value = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
  return { store, reading, open };
}

/** Resolves on the first turn of the event loop's microtasks in which `done()` holds (a relay's snapshot could be taken there). */
async function firstMoment(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000; i++) {
    if (done()) return;
    await null;
    if (i % 1_000 === 999) await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('never happened');
}

// The relays send every change the moment the feed hands it over; a socket that joins later takes its snapshot from
// memory. Memory that answers before it has applied what the feed handed it during its read gives that socket a
// snapshot older than changes it will never be sent (seen in the fault campaign: a reader stuck one comment behind
// after its node restarted).
describe.each(STORE_KINDS)('%s store, the posts read model loading', (kind) => {
  const stores = storeFixture(kind);

  test('answers first with every change the feed brought while it read the store', async () => {
    const store = await stores.fresh();
    await createUsers(store, 'ana', 'bob');
    const { value: post } = await store.createPost({ title: 'Read while voted on', url: null, text: null, author: 'ana' });
    const gated = gatedReads(store);
    const model = new PostsModel(gated.store, createLogger('silent'), 300);
    try {
      await gated.reading;
      // Committed after the read: the feed hands it to the model (and the relays) while the read is still on its way.
      const feed = store.changes('posts')[Symbol.asyncIterator]();
      const voted = (await store.setVote(post.id, 'bob', 1)) as StoredPost;
      for (let item = await feed.next(); ; item = await feed.next()) {
        const change = item.value;
        if (item.done || (change && 'new_val' in change && change.new_val?.version === voted.version)) break;
      }
      await feed.return?.();
      expect(model.warm).toBe(false);

      gated.open();
      await firstMoment(() => model.warm);
      expect(model.page('new', 30, undefined)?.items.map((p) => [p.id, p.version, p.upvotes])).toEqual([[post.id, voted.version, 1]]);
    } finally {
      gated.open();
      await model.close();
    }
  });
});
