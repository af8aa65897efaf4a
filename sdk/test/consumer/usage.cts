// The CommonJS view of the same types (index.d.cts), type-checked by package.test.ts.
import sdk = require('@news-forum/sdk');

const forum = sdk.createClient({ baseUrl: 'https://forum.example.com' });
const rank: number = sdk.hotRank({ upvotes: 1, downvotes: 0, createdAt: '2026-11-24T12:00:00.000Z' });
void forum.me().then(({ data, error }) => console.log(rank, data?.login, error?.code));
// @ts-expect-error 'best' is not a sort order
void forum.posts.list({ sort: 'best' });
