// Type-checked by package.test.ts in a fresh project that installed the packed protocol.
import {
  type ClientToServerEvents,
  hotRank,
  POST_SORTS,
  type Post,
  type PostSort,
  type ServerToClientEvents,
  type SubscribeAck,
  type Topic,
  type Vote,
} from '@news-forum/protocol';

const sort: PostSort = POST_SORTS[0];
const topic: Topic = { topic: 'posts', sort, limit: 10 };
const vote: Vote = -1;
declare const post: Post;
const rank: number = hotRank(post);
type Subscribe = Parameters<ClientToServerEvents['subscribe']>;
const args: Subscribe = [topic, (ack: SubscribeAck) => console.log(ack.ok ? ack.snapshot.length : ack.error.title)];
const onPost: ServerToClientEvents['poststream'] = ({ new_val }) => console.log(new_val?.score);
console.log(rank, vote, args, onPost);

// @ts-expect-error 'best' is not a sort
const wrong: PostSort = 'best';
// @ts-expect-error a comments topic needs a postId
const partial: Topic = { topic: 'comments' };
// @ts-expect-error 2 is not a vote
const tooMuch: Vote = 2;
console.log(wrong, partial, tooMuch);
