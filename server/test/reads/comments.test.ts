import { publicComment } from '../../src/moderation/visibility.js';
import { eventually } from '../support/live-client.js';
import { STORE_KINDS } from '../support/store-adapters.js';
import { readPages, startTwoNodes, type TwoNodes } from './two-nodes.js';

// Five comments held per post: pages 1–2 of 2 come from memory, later ones from the store.
const HELD = 5;
const LIMIT = 2;
const PAGES = 5;

describe.each(STORE_KINDS)('%s store, two nodes', (kind) => {
  let t: TwoNodes;
  let ana: string;
  let bob: string;
  let post: string;
  const comments: string[] = [];

  beforeAll(async () => {
    t = await startTwoNodes(kind, { commentsPerPost: HELD });
    ana = await t.signUp('ana');
    bob = await t.signUp('bob');
    post = (await t.call(t.a, 'POST', '/api/posts', { token: ana, body: { title: 'discussed' } })).body.id;
    for (let i = 0; i < 7; i++) {
      const body = { text: `comment ${i}`, ...(i % 3 === 2 && { parentId: comments[i - 1] }) };
      comments.push((await t.call(i % 2 ? t.a : t.b, 'PUT', `/api/comments/${post}`, { token: i % 2 ? ana : bob, body })).body.id);
    }
  }, 120_000);
  afterAll(() => t?.stop());

  async function storePages(): Promise<string[]> {
    const pages: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < PAGES; i++) {
      const page = await t.store.listComments(post, { limit: LIMIT, cursor });
      // Readers' view: hidden comments as placeholders, no flag counts.
      pages.push(JSON.stringify({ items: page.items.map(publicComment), nextCursor: page.nextCursor }));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return pages;
  }

  /**
   * Both nodes' pages equal the store's, byte for byte, the first from memory
   * (after a node's first read; a window thinned by deletions is read again).
   */
  async function expectNodesMatchStore(): Promise<void> {
    for (const node of [t.a, t.b]) {
      let last: { pages: string[]; fromMemory: number } | undefined;
      let expected: string[] = [];
      await eventually(
        async () => {
          expected = await storePages();
          last = await readPages(node, `/api/comments/${post}?limit=${LIMIT}`, PAGES);
          return JSON.stringify(last.pages) === JSON.stringify(expected) && last.fromMemory >= 1;
        },
        10_000,
        String(node.config.instanceName),
      ).catch(() => {
        expect(last?.pages).toEqual(expected);
        expect(last?.fromMemory).toBeGreaterThanOrEqual(1);
      });
    }
  }

  test('at first read', async () => {
    await expectNodesMatchStore();
  });

  test('after new comments and replies', async () => {
    comments.push((await t.call(t.b, 'PUT', `/api/comments/${post}`, { token: ana, body: { text: 'late' } })).body.id);
    comments.push(
      (await t.call(t.a, 'PUT', `/api/comments/${post}`, { token: bob, body: { text: 'reply', parentId: comments[0] } })).body.id,
    );
    await expectNodesMatchStore();
  });

  test('after deleting a comment with its replies', async () => {
    expect((await t.call(t.a, 'DELETE', `/api/comments/${post}/${comments[1]}`, { token: ana })).status).toBe(204);
    expect((await t.call(t.b, 'DELETE', `/api/comments/${post}/${comments[0]}`, { token: bob })).status).toBe(204);
    await expectNodesMatchStore();
  });

  test("after an account deletion removes that account's comments", async () => {
    expect((await t.call(t.a, 'DELETE', '/api/users/bob', { token: await t.adminToken() })).status).toBe(204);
    await expectNodesMatchStore();
  });

  test('after an edit, a comment hidden by a moderator, one hidden by flags, and one restored', async () => {
    const moderator = await t.adminToken();
    const [edited, hidden, flagged] = await Promise.all(
      ['to edit', 'to hide', 'to flag'].map(
        async (text) => (await t.call(t.a, 'PUT', `/api/comments/${post}`, { token: ana, body: { text } })).body.id,
      ),
    );
    expect((await t.call(t.a, 'PUT', `/api/comments/${post}/${edited}/edit`, { token: moderator, body: { text: 'edited' } })).status).toBe(
      200,
    );
    expect((await t.call(t.b, 'POST', `/api/comments/${post}/${hidden}/hide`, { token: moderator, body: {} })).status).toBe(200);
    const readers = await Promise.all(['fay', 'gus', 'hal'].map((login) => t.signUp(login)));
    for (const token of readers) await t.call(t.a, 'POST', `/api/comments/${post}/${flagged}/flags`, { token, body: { reason: 'abuse' } });
    await expectNodesMatchStore();
    expect((await t.call(t.a, 'POST', `/api/comments/${post}/${hidden}/restore`, { token: moderator, body: {} })).status).toBe(200);
    await expectNodesMatchStore();
  }, 90_000);

  test('an unchanged page answers 304 to its ETag', async () => {
    const first = await fetch(`${t.b.url}/api/comments/${post}?limit=${LIMIT}`);
    const etag = first.headers.get('etag') as string;
    // fetch() would add Cache-Control: no-cache, which asks for a full answer.
    const again = await fetch(`${t.a.url}/api/comments/${post}?limit=${LIMIT}`, {
      headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' },
    });
    expect(again.status).toBe(304);
  });

  test('a deleted post answers 404 on both nodes, not its held comments', async () => {
    expect((await t.call(t.b, 'DELETE', `/api/posts/${post}`, { token: ana })).status).toBe(204);
    for (const node of [t.a, t.b]) {
      await eventually(async () => (await t.call(node, 'GET', `/api/comments/${post}?limit=${LIMIT}`)).status === 404);
      expect((await t.call(node, 'GET', `/api/comments/${post}`, { token: ana })).status).toBe(404);
    }
  });
});
