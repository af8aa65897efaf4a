// Type-checked by package.test.ts in a fresh project that installed the packed widget.
import type { ErrorEventDetail, NewsForum, Vote, VoteEventDetail } from '@news-forum/widget';
import { type NewsForum as BundledNewsForum, createClient, hotRank } from '@news-forum/widget/news-forum.js';

const forum = document.querySelector('news-forum');
if (forum) {
  const element: NewsForum = forum;
  element.sort = 'new';
  element.limit = 10;
  element.addEventListener('news-forum-vote', (event) => {
    const detail: VoteEventDetail = event.detail;
    const vote: Vote = detail.vote;
    console.log(detail.post.score, vote);
  });
  element.addEventListener('news-forum-error', (event) => {
    const detail: ErrorEventDetail = event.detail;
    console.log(detail.action, detail.error.code);
  });
}
const made: BundledNewsForum = document.createElement('news-forum');
const client = createClient({ baseUrl: 'https://forum.example.com' });
console.log(made, client, hotRank({ upvotes: 1, downvotes: 0, createdAt: '2026-01-01T00:00:00.000Z' }));

// @ts-expect-error 'best' is not a sort
if (forum) forum.sort = 'best';
// @ts-expect-error 2 is not a vote
const tooMuch: Vote = 2;
console.log(tooMuch);
