import { createRequire } from 'node:module';
import { ApiError, createClient, hotRank, isNewsForumError } from '@news-forum/sdk';

const fetch = async () =>
  new Response(JSON.stringify({ name: 'news-forum', version: '1.0.0', instance: 'esm' }), {
    headers: { 'content-type': 'application/json' },
  });
const forum = createClient({ baseUrl: 'http://forum.invalid', fetch });
const { data, error } = await forum.info();
const notFoundFetch = async () => Response.json({ type: 'urn:x', title: 'Nope', status: 404 }, { status: 404 });
const { error: notFound } = await createClient({ baseUrl: 'http://forum.invalid', maxRetries: 0, fetch: notFoundFetch }).posts.get('x');
// The CommonJS build loaded next to this one: its errors are other classes, yet recognised.
const cjs = createRequire(import.meta.url)('@news-forum/sdk');
const { error: fromCjs } = await cjs.createClient({ baseUrl: 'http://forum.invalid', maxRetries: 0, fetch: notFoundFetch }).posts.get('x');
console.log(
  JSON.stringify({
    rank: hotRank({ upvotes: 10, downvotes: 0, createdAt: '2026-01-01T00:00:00.000Z' }),
    data,
    error: error ?? null,
    notFound: isNewsForumError(notFound) && notFound instanceof ApiError && notFound.status,
    crossCopy: isNewsForumError(fromCjs) && !(fromCjs instanceof ApiError),
  }),
);
