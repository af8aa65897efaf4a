import type { Post, Vote } from '@news-forum/protocol';
import type { RunningServer } from '../../src/server.js';
import { eventually } from '../support/live-client.js';
import { STORE_KINDS } from '../support/store-adapters.js';
import { startTwoNodes, type TwoNodes } from './two-nodes.js';

describe.each(STORE_KINDS)('%s store', (kind) => {
  let t: TwoNodes;
  let author: string;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await startTwoNodes(kind, { postsPerSort: 20 });
    author = await t.signUp('author');
    for (let i = 0; i < 6; i++)
      ids.push((await t.call(t.a, 'POST', '/api/posts', { token: author, body: { title: `post ${i}` } })).body.id);
  }, 120_000);
  afterAll(() => t?.stop());

  async function page(node: RunningServer, token?: string, sort = 'new'): Promise<Post[]> {
    const response = await t.call(node, 'GET', `/api/posts?sort=${sort}&limit=30`, { token });
    expect(response.status).toBe(200);
    return response.body.items;
  }

  /** The reader's votes on the test's posts, by id in id order. */
  const myVotes = (posts: Post[]) =>
    Object.fromEntries(
      posts
        .filter((post) => ids.includes(post.id))
        .sort((x, y) => ids.indexOf(x.id) - ids.indexOf(y.id))
        .map((post) => [post.id, post.myVote]),
    );

  test('each of several readers sees its own votes, after votes, changes, retractions and sign-out', async () => {
    const readers = await Promise.all(['reader1', 'reader2', 'reader3'].map((login) => t.signUp(login)));
    const expected: Record<string, Vote>[] = readers.map(() => Object.fromEntries(ids.map((id) => [id, 0 as Vote])));
    const cast = async (reader: number, post: number, vote: Vote, node: RunningServer) => {
      const path = vote === 0 ? `/api/posts/${ids[post]}/vote` : `/api/posts/${ids[post]}/${vote === 1 ? 'upvotes' : 'downvotes'}`;
      expect((await t.call(node, vote === 0 ? 'DELETE' : 'POST', path, { token: readers[reader] })).status).toBe(200);
      (expected[reader] as Record<string, Vote>)[ids[post] as string] = vote;
    };
    const check = async () => {
      // The node that did not take a vote knows of it once its feed brings the post's new version.
      for (const node of [t.a, t.b]) {
        for (const [i, token] of readers.entries()) {
          const right = async () => JSON.stringify(myVotes(await page(node, token))) === JSON.stringify(expected[i]);
          await eventually(right, 10_000, `myVote of reader ${i}`).catch(() => undefined);
          expect(myVotes(await page(node, token))).toEqual(expected[i]);
        }
        const anonymous = await page(node);
        expect(anonymous.some((post) => 'myVote' in post)).toBe(false);
      }
    };
    await check();
    await cast(0, 0, 1, t.a);
    await cast(1, 0, -1, t.b);
    await cast(2, 1, 1, t.a);
    await cast(0, 2, -1, t.b);
    await check();
    await cast(0, 0, -1, t.b);
    await cast(1, 0, 0, t.a);
    await cast(2, 1, 0, t.b);
    await cast(2, 3, 1, t.a);
    await check();
    // Signing out is reading without the token: the anonymous page, with no one's votes in it.
    const signedIn = await page(t.a, readers[0]);
    const signedOut = await page(t.a);
    expect(signedOut).toEqual(signedIn.map(({ myVote, ...post }) => post));
    expect(myVotes(await page(t.a, readers[0]))).toEqual(expected[0]);
  });

  test('a reader that just voted reads its own vote at once, never an older state', async () => {
    const voter = await t.signUp('voter');
    for (let i = 0; i < 20; i++) {
      const id = ids[i % ids.length] as string;
      const vote: Vote = i % 3 === 2 ? 0 : i % 2 ? -1 : 1;
      const path = vote === 0 ? `/api/posts/${id}/vote` : `/api/posts/${id}/${vote === 1 ? 'upvotes' : 'downvotes'}`;
      const acknowledged = (await t.call(t.a, vote === 0 ? 'DELETE' : 'POST', path, { token: voter })).body as Post;
      for (const sort of ['top', 'hot']) {
        const seen = (await page(t.a, voter, sort)).find((post) => post.id === id);
        expect(seen?.version).toBeGreaterThanOrEqual(acknowledged.version);
        expect(seen).toMatchObject({ myVote: vote, upvotes: acknowledged.upvotes, downvotes: acknowledged.downvotes });
      }
    }
  });

  test('an author reads its new post and not its deleted one at once', async () => {
    for (let i = 0; i < 5; i++) {
      const created = (await t.call(t.a, 'POST', '/api/posts', { token: author, body: { title: `fresh ${i}` } })).body as Post;
      expect((await page(t.a, author))[0]?.id).toBe(created.id);
      expect((await t.call(t.a, 'DELETE', `/api/posts/${created.id}`, { token: author })).status).toBe(204);
      expect((await page(t.a, author)).some((post) => post.id === created.id)).toBe(false);
    }
  });
});
