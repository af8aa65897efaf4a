// The store-level write figure: a node's store (STORE=postgres with
// DATABASE_URL, or embedded in DATA_DIR) opened as a node opens it, with
// its change feed of posts read by a subscriber, and CONCURRENCY callers
// voting through `setVote` for DURATION_MS over 100 posts and 1,000
// accounts, every vote changing its post (the same order as the HTTP
// figure). No HTTP, no tokens: what the store itself sustains. Prints
// `{"perSecond":n,"changes":n}`; fails when the feed delivered nothing.

import { performance } from 'node:perf_hooks';
import { openStore } from '@news-forum/server';

const ACCOUNTS = 1_000;
const POSTS = 100;
const duration = Number(process.env.DURATION_MS ?? 5_000);
const warmUp = Number(process.env.WARM_UP_MS ?? 1_000);
const concurrency = Number(process.env.CONCURRENCY ?? 50);

const store = await openStore({ kind: process.env.STORE, dataDir: process.env.DATA_DIR, databaseUrl: process.env.DATABASE_URL });
const logins = Array.from({ length: ACCOUNTS }, (_, i) => `voter-${i}`);
for (let i = 0; i < ACCOUNTS; i += 100) {
  await Promise.all(
    logins.slice(i, i + 100).map((login) => store.createUser({ login, displayName: login, scopes: [], passwordHash: 'not-a-hash' })),
  );
}
const posts = [];
for (let i = 0; i < POSTS; i += 1) {
  const { value } = await store.createPost({
    title: `Benchmark post ${i}`,
    url: `https://example.com/${i}`,
    text: null,
    author: logins[0],
  });
  posts.push(value.id);
}

const feed = new AbortController();
let changes = 0;
const reading = (async () => {
  for await (const item of store.changes('posts', { signal: feed.signal })) if (!('reset' in item)) changes += 1;
})();

let n = 0;
/** Votes as fast as the callers can until `until`; resolves to how many. */
async function vote(until) {
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const i = n++;
        const a = Math.floor(i / POSTS);
        const value = Math.floor(i / (POSTS * ACCOUNTS)) % 2 === 0 ? 1 : -1;
        await store.setVote(posts[i % POSTS], logins[(101 * a + i) % ACCOUNTS], value);
        done += 1;
      }
    }),
  );
  return done;
}

await vote(performance.now() + warmUp);
const started = performance.now();
const done = await vote(started + duration);
const perSecond = done / ((performance.now() - started) / 1000);
// Let the feed catch up before counting what it delivered.
await new Promise((resolve) => setTimeout(resolve, 500));
feed.abort();
await reading;
await store.close();
process.stdout.write(`${JSON.stringify({ perSecond, changes })}\n`);
if (changes === 0) throw new Error('the change feed delivered nothing');
