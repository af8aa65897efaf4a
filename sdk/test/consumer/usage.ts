// Type-checked by package.test.ts in a fresh project that installed the packed SDK.
import { ApiError, createClient, hotRank, isNewsForumError, type LivePost, type LiveView, type Post, type Result } from '@news-forum/sdk';

const forum = createClient({ baseUrl: 'https://forum.example.com', maxRetries: 1, socket: { transports: ['websocket'] } });

const listed: Result<{ items: Post[]; nextCursor: string | null }> = await forum.posts.list({ sort: 'hot', limit: 10 });
if (listed.error) {
  const code: 'api_error' | 'network_error' | 'timeout' | 'aborted' = listed.error.code;
  if (listed.error instanceof ApiError) console.log(listed.error.problem.type, listed.error.status, code);
} else {
  const titles: string[] = listed.data.items.map((post) => post.title);
  console.log(titles, hotRank(listed.data.items[0]!));
}

const created = await forum.posts.create({ title: 'Hello', url: 'https://example.com' }, { idempotencyKey: 'abc-12345' });
if (created.data) console.log(created.data.id);
console.log(isNewsForumError(created.error));

// @ts-expect-error 'best' is not a sort order
await forum.posts.list({ sort: 'best' });
// @ts-expect-error a post needs a title
await forum.posts.create({ url: 'https://example.com' });
// @ts-expect-error a comment needs text
await forum.comments.create('post-id', {});
// @ts-expect-error there is no such live event
forum.live.posts.on('chnage', () => {});

const stop: () => void = forum.live.posts.on('change', ({ old_val, new_val }) => console.log(old_val?.version, new_val?.score));
stop();
const view: LiveView<LivePost> = forum.live.posts.watch({ sort: 'new', limit: 5, signal: AbortSignal.timeout(1000) });
for await (const posts of view) {
  const first: LivePost | undefined = posts[0];
  console.log(first?.title);
  break;
}
forum.live
  .comments('post-id')
  .watch()
  .subscribe((comments) => console.log(comments.length));
forum.close();
