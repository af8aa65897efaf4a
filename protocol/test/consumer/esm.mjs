import { commentsRoom, DEFAULT_POST_SORT, hotRank, POST_SORTS, postOrder, roomOf } from '@news-forum/protocol';

const posts = [
  { id: 'a', createdAt: '2026-01-01T00:00:00.000Z', upvotes: 1, downvotes: 0, score: 1 },
  { id: 'b', createdAt: '2026-01-01T00:00:00.000Z', upvotes: 9, downvotes: 0, score: 9 },
];
console.log(
  JSON.stringify({
    rank: hotRank({ upvotes: 10, downvotes: 0, createdAt: '2026-01-01T00:00:00.000Z' }),
    sorts: POST_SORTS,
    defaultSort: DEFAULT_POST_SORT,
    top: [...posts].sort(postOrder('top')).map((post) => post.id),
    rooms: [roomOf({ topic: 'posts' }), commentsRoom('x')],
  }),
);
