// The CommonJS view of the types (index.d.cts), type-checked by package.test.ts.
import protocol = require('@news-forum/protocol');

const rank: number = protocol.hotRank({ upvotes: 1, downvotes: 0, createdAt: '2026-11-24T12:00:00.000Z' });
const topic: protocol.Topic = { topic: 'comments', postId: 'x' };
console.log(rank, topic, protocol.roomOf(topic));
// @ts-expect-error 'best' is not a sort
const sort: protocol.PostSort = 'best';
console.log(sort);
