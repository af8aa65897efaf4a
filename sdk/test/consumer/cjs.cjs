const { createClient, hotRank, isNewsForumError } = require('@news-forum/sdk');

const fetch = async () =>
  new Response(JSON.stringify({ name: 'news-forum', version: '1.0.0', instance: 'cjs' }), {
    headers: { 'content-type': 'application/json' },
  });
const forum = createClient({ baseUrl: 'http://forum.invalid', fetch });
const failing = createClient({
  baseUrl: 'http://forum.invalid',
  maxRetries: 0,
  fetch: async () => Response.json({ type: 'urn:x', title: 'Nope', status: 404 }, { status: 404 }),
});
Promise.all([forum.info(), failing.posts.get('x')]).then(([{ data, error }, { error: notFound }]) => {
  let deep = 'exported';
  try {
    require.resolve('@news-forum/sdk/dist/index.cjs');
  } catch (e) {
    deep = e.code;
  }
  console.log(
    JSON.stringify({
      rank: hotRank({ upvotes: 10, downvotes: 0, createdAt: '2026-01-01T00:00:00.000Z' }),
      data,
      error: error ?? null,
      notFound: isNewsForumError(notFound) && notFound.status,
      deep,
    }),
  );
});
