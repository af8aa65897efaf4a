const { hotRank, POST_SORTS, roomOf } = require('@news-forum/protocol');

let deep = 'exported';
try {
  require.resolve('@news-forum/protocol/dist/index.cjs');
} catch (error) {
  deep = error.code;
}
console.log(
  JSON.stringify({
    rank: hotRank({ upvotes: 10, downvotes: 0, createdAt: '2026-01-01T00:00:00.000Z' }),
    sorts: POST_SORTS,
    room: roomOf({ topic: 'comments', postId: 'x' }),
    deep,
  }),
);
