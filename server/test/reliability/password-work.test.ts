import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  // A real cost (16 MiB and tens of ms per attempt; 64 may wait), so that a flood is work the node cannot do at once.
  // 300 sign-ins at once from one address: above the per-address connection cap, which is not what this tests.
  t = await startTestServer({ passwordCost: 2 ** 14, env: { MAX_CONNECTIONS_PER_IP: '1000' } });
  await t.signUp('owner', 'owner-password');
});
afterAll(() => t.cleanup());

function signIn(login: string, password: string): Promise<Response> {
  return fetch(`${t.url}/api/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
}

test('a flood of sign-ins for unknown logins is answered 503 with Retry-After beyond a bounded queue', async () => {
  const rssBefore = process.memoryUsage().rss;
  const answers = await Promise.all(
    Array.from({ length: 300 }, async (_, i) => {
      const r = await signIn(`nobody-${i}`, 'wrong-password');
      return { status: r.status, retryAfter: r.headers.get('retry-after'), type: r.headers.get('content-type'), body: await r.text() };
    }),
  );
  const rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  const statuses = new Set(answers.map((a) => a.status));
  expect([...statuses].sort()).toEqual([401, 503]);
  const busy = answers.filter((a) => a.status === 503);
  for (const answer of busy) {
    expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'urn:news-forum:problem:unavailable', status: 503 });
  }
  // Part of the flood was turned away at once rather than queued.
  expect(busy.length).toBeGreaterThan(0);
  console.log(`password flood: ${busy.length} of 300 answered 503; RSS grew ${rssGrowthMiB.toFixed(0)} MiB`);
  // Once it has passed, the owner signs in.
  expect((await signIn('owner', 'owner-password')).status).toBe(200);
}, 60_000);
