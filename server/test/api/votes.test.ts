import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
let author: string;

beforeAll(async () => {
  t = await startTestServer();
  author = await t.signUp('author');
});
afterAll(() => t.cleanup());

async function newPost(title: string): Promise<string> {
  return (await t.call('POST', '/api/posts', { token: author, body: { title } })).body.id;
}

test('200 different users voting at once on one post → exactly 200', async () => {
  const tokens = [];
  // Sign up in batches: scrypt runs on the thread pool.
  for (let i = 0; i < 200; i += 25) {
    tokens.push(...(await Promise.all(Array.from({ length: 25 }, (_, j) => t.signUp(`voter${i + j}`)))));
  }
  const id = await newPost('popular');
  const results = await Promise.all(tokens.map((token) => t.call('POST', `/api/posts/${id}/upvotes`, { token })));
  expect(results.every((r) => r.status === 200)).toBe(true);
  const post = (await t.call('GET', `/api/posts/${id}`)).body;
  expect(post).toMatchObject({ upvotes: 200, downvotes: 0, score: 200 });
  // Each vote was one change.
  expect(post.version).toBe(201);
}, 120_000);

test('one user sending 50 concurrent upvotes → counted once', async () => {
  const id = await newPost('spammed');
  const voter = await t.signUp('eager');
  const results = await Promise.all(Array.from({ length: 50 }, () => t.call('POST', `/api/posts/${id}/upvotes`, { token: voter })));
  expect(results.every((r) => r.status === 200 && r.body.upvotes === 1)).toBe(true);
  const post = (await t.call('GET', `/api/posts/${id}`)).body;
  expect(post).toMatchObject({ upvotes: 1, downvotes: 0, score: 1, version: 2 });
});

test('switching a vote from up to down moves both counters; retract clears it', async () => {
  const id = await newPost('switch');
  const voter = await t.signUp('switcher');
  const other = await t.signUp('other');
  await t.call('POST', `/api/posts/${id}/upvotes`, { token: other });
  const up = (await t.call('POST', `/api/posts/${id}/upvotes`, { token: voter })).body;
  expect(up).toMatchObject({ upvotes: 2, downvotes: 0, score: 2 });
  const down = (await t.call('POST', `/api/posts/${id}/downvotes`, { token: voter })).body;
  expect(down).toMatchObject({ upvotes: 1, downvotes: 1, score: 0, myVote: -1 });
  const again = (await t.call('POST', `/api/posts/${id}/downvotes`, { token: voter })).body;
  expect(again).toMatchObject({ upvotes: 1, downvotes: 1, version: down.version });
  const retracted = (await t.call('DELETE', `/api/posts/${id}/vote`, { token: voter })).body;
  expect(retracted).toMatchObject({ upvotes: 1, downvotes: 0, score: 1, myVote: 0 });
});

describe('ordering and pagination', () => {
  test('hot, new and top pages cover every post once, in order', async () => {
    const fresh = await startTestServer();
    try {
      const a = await fresh.signUp('ranker');
      const voters = await Promise.all(['voter-a', 'voter-b', 'voter-c'].map((l) => fresh.signUp(l)));
      const ids: string[] = [];
      for (let i = 0; i < 7; i += 1) ids.push((await fresh.call('POST', '/api/posts', { token: a, body: { title: `p${i}` } })).body.id);
      // p2 gets 3 upvotes, p4 two downvotes.
      for (const v of voters) await fresh.call('POST', `/api/posts/${ids[2]}/upvotes`, { token: v });
      for (const v of voters.slice(0, 2)) await fresh.call('POST', `/api/posts/${ids[4]}/downvotes`, { token: v });
      for (const sort of ['hot', 'new', 'top']) {
        const seen: { id: string; score: number; createdAt: string; title: string }[] = [];
        let cursor: string | null = null;
        do {
          const query: string = `/api/posts?sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
          const page = (await fresh.call('GET', query)).body;
          seen.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen.map((p) => p.id).sort()).toEqual([...ids].sort());
        if (sort === 'new') expect(seen.map((p) => p.title)).toEqual(['p6', 'p5', 'p4', 'p3', 'p2', 'p1', 'p0']);
        if (sort === 'top') {
          expect(seen[0]!.title).toBe('p2');
          expect(seen.at(-1)!.title).toBe('p4');
        }
        if (sort === 'hot') {
          expect(seen[0]!.title).toBe('p2');
          expect(seen.at(-1)!.title).toBe('p4');
        }
      }
    } finally {
      await fresh.cleanup();
    }
  });
});

describe('idempotent creations', () => {
  test('a retried post or comment with the same Idempotency-Key returns the first result', async () => {
    const headers = { 'idempotency-key': 'retry-key-0001' };
    const first = await t.call('POST', '/api/posts', { token: author, body: { title: 'once' }, headers });
    const second = await t.call('POST', '/api/posts', { token: author, body: { title: 'once' }, headers });
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const other = await t.call('POST', '/api/posts', { token: author, body: { title: 'different' }, headers });
    expect(other.status).toBe(409);
    const cHeaders = { 'idempotency-key': 'comment-key-0001' };
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.call('PUT', `/api/comments/${first.body.id}`, { token: author, body: { text: 'hi' }, headers: cHeaders }),
      ),
    );
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect((await t.call('GET', `/api/comments/${first.body.id}`)).body.items).toHaveLength(1);
    // Keys are per account: another user's same key is a new creation.
    const bob = await t.signUp('bob-idem');
    const bobs = await t.call('POST', '/api/posts', { token: bob, body: { title: 'once' }, headers });
    expect(bobs.body.id).not.toBe(first.body.id);
  });
});
