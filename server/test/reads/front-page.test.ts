import { POST_SORTS, type PostSort } from '@news-forum/protocol';
import { publicPost } from '../../src/moderation/visibility.js';
import { eventually } from '../support/live-client.js';
import { STORE_KINDS } from '../support/store-adapters.js';
import { readPages, startTwoNodes, type TwoNodes } from './two-nodes.js';

// Small windows, so that a few posts already reach past them: pages 1–2 of 3
// posts come from memory, later ones from the store, and deletions thin a
// window until it is read again.
const HELD = 8;
const LIMIT = 3;
const PAGES = 4;

/**
 * Headers of a revalidation. fetch() adds `Cache-Control: no-cache` to a
 * request with If-None-Match unless one is given, and no-cache asks for a
 * full answer.
 */
const revalidate = (etag: string) => ({ 'if-none-match': etag, 'cache-control': 'max-age=0' });

describe.each(STORE_KINDS)('%s store, two nodes', (kind) => {
  let t: TwoNodes;
  let ana: string;
  let bob: string;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await startTwoNodes(kind, { postsPerSort: HELD });
    ana = await t.signUp('ana');
    bob = await t.signUp('bob');
    for (let i = 0; i < 12; i++)
      ids.push((await t.call(t.a, 'POST', '/api/posts', { token: i % 2 ? ana : bob, body: { title: `post ${i}` } })).body.id);
  }, 120_000);
  afterAll(() => t?.stop());

  /** The store's pages of a sort, as the API would send them without memory. */
  async function storePages(sort: PostSort): Promise<string[]> {
    const pages: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < PAGES; i++) {
      const page = await t.store.listPosts(sort, { limit: LIMIT, cursor });
      // Readers' view: listPosts leaves hidden posts out; flag counts are for moderators.
      pages.push(JSON.stringify({ items: page.items.map(publicPost), nextCursor: page.nextCursor }));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return pages;
  }

  /** The node's pages of a sort, anonymous, as bytes; and which came with a strong ETag (memory's). */
  /** Every sort's first pages on both nodes equal the store's, byte for byte, and the first two come from memory. */
  async function expectNodesMatchStore(): Promise<void> {
    for (const sort of POST_SORTS) {
      for (const node of [t.a, t.b]) {
        let last: { pages: string[]; fromMemory: number } | undefined;
        let expected: string[] = [];
        await eventually(
          async () => {
            expected = await storePages(sort);
            last = await readPages(node, `/api/posts?sort=${sort}&limit=${LIMIT}`, PAGES);
            return JSON.stringify(last.pages) === JSON.stringify(expected) && last.fromMemory >= Math.min(2, expected.length);
          },
          10_000,
          `${node.config.instanceName} ${sort}`,
        ).catch(() => expect(last?.pages).toEqual(expected));
        expect(last?.fromMemory).toBeGreaterThanOrEqual(Math.min(2, expected.length));
      }
    }
  }

  test('at start', async () => {
    await expectNodesMatchStore();
  });

  test('after votes, vote changes and retractions', async () => {
    const carol = await t.signUp('carol');
    await t.call(t.a, 'POST', `/api/posts/${ids[0]}/upvotes`, { token: ana });
    await t.call(t.b, 'POST', `/api/posts/${ids[0]}/upvotes`, { token: carol });
    await t.call(t.a, 'POST', `/api/posts/${ids[5]}/downvotes`, { token: bob });
    await t.call(t.b, 'POST', `/api/posts/${ids[3]}/upvotes`, { token: bob });
    await t.call(t.a, 'POST', `/api/posts/${ids[3]}/downvotes`, { token: bob });
    await t.call(t.a, 'DELETE', `/api/posts/${ids[0]}/vote`, { token: carol });
    await expectNodesMatchStore();
  });

  test('after new posts', async () => {
    for (let i = 0; i < 3; i++) ids.push((await t.call(t.b, 'POST', '/api/posts', { token: ana, body: { title: `late ${i}` } })).body.id);
    await expectNodesMatchStore();
  });

  test('after deleting posts, enough to thin the windows', async () => {
    for (const id of ids.splice(0, 6))
      expect((await t.call(t.a, 'DELETE', `/api/posts/${id}`, { token: await t.adminToken() })).status).toBe(204);
    await expectNodesMatchStore();
  });

  test('after comments and a comment deletion (a recount)', async () => {
    const post = ids[2] as string;
    const first = (await t.call(t.a, 'PUT', `/api/comments/${post}`, { token: bob, body: { text: 'first' } })).body;
    await t.call(t.b, 'PUT', `/api/comments/${post}`, { token: ana, body: { text: 'reply', parentId: first.id } });
    expect((await t.call(t.a, 'DELETE', `/api/comments/${post}/${first.id}`, { token: bob })).status).toBe(204);
    await expectNodesMatchStore();
  });

  test('after an account deletion (its posts go, its votes are retracted)', async () => {
    const dora = await t.signUp('dora');
    const own = (await t.call(t.a, 'POST', '/api/posts', { token: dora, body: { title: 'dora' } })).body.id;
    for (const id of ids.slice(0, 3)) await t.call(t.b, 'POST', `/api/posts/${id}/upvotes`, { token: dora });
    await expectNodesMatchStore();
    expect((await t.call(t.a, 'DELETE', '/api/users/dora', { token: await t.adminToken() })).status).toBe(204);
    expect(await t.store.getPost(own)).toBeNull();
    await expectNodesMatchStore();
  });

  test('after an edit, a moderator hiding a post, flags hiding another, and both restored', async () => {
    const moderator = await t.adminToken();
    const [hiddenByMod, flagged] = ids.slice(0, 2) as [string, string];
    expect((await t.call(t.a, 'PUT', `/api/posts/${ids[2]}/edit`, { token: moderator, body: { title: 'edited' } })).status).toBe(200);
    expect((await t.call(t.a, 'POST', `/api/posts/${hiddenByMod}/hide`, { token: moderator, body: {} })).status).toBe(200);
    const readers = await Promise.all(['fay', 'gus', 'hal'].map((login) => t.signUp(login)));
    for (const token of readers) await t.call(t.b, 'POST', `/api/posts/${flagged}/flags`, { token, body: { reason: 'spam' } });
    expect((await t.store.getPost(flagged))?.hidden).toBe(true);
    await expectNodesMatchStore();
    for (const id of [hiddenByMod, flagged])
      expect((await t.call(t.b, 'POST', `/api/posts/${id}/restore`, { token: moderator, body: {} })).status).toBe(200);
    await expectNodesMatchStore();
  });

  test('an unchanged page answers 304 to its ETag, and a changed one a new page', async () => {
    const first = await fetch(`${t.a.url}/api/posts?sort=top&limit=${LIMIT}`);
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await fetch(`${t.a.url}/api/posts?sort=top&limit=${LIMIT}`, { headers: revalidate(etag) });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // The other node holds the same page: the same bytes, the same validator.
    expect((await fetch(`${t.b.url}/api/posts?sort=top&limit=${LIMIT}`, { headers: revalidate(etag) })).status).toBe(304);
    const top = JSON.parse(await first.text()).items[0].id;
    await t.call(t.a, 'POST', `/api/posts/${top}/downvotes`, { token: bob });
    await t.call(t.a, 'POST', `/api/posts/${top}/downvotes`, { token: ana });
    await eventually(
      async () => (await fetch(`${t.b.url}/api/posts?sort=top&limit=${LIMIT}`, { headers: revalidate(etag) })).status === 200,
    );
    await expectNodesMatchStore();
  });

  test('a cursor from outside memory, or a bad one, is answered by the store', async () => {
    const third = JSON.parse(await (await fetch(`${t.a.url}/api/posts?sort=new&limit=${HELD}`)).text());
    const beyond = await t.call(t.a, 'GET', `/api/posts?sort=new&limit=${LIMIT}&cursor=${third.nextCursor}`);
    expect(beyond.body).toEqual(await t.store.listPosts('new', { limit: LIMIT, cursor: third.nextCursor }));
    const bad = await t.call(t.a, 'GET', '/api/posts?sort=hot&limit=3&cursor=bm90LWEtY3Vyc29y');
    expect(bad.status).toBe(400);
  });
});
