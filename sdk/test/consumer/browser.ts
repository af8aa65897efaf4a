// What a browser app pulls in: bundled and measured by package.test.ts.
import { createClient } from '@news-forum/sdk';

const forum = createClient({ baseUrl: location.origin });
const view = forum.live.posts.watch({ sort: 'hot', limit: 30 });
view.subscribe((posts) => {
  document.body.textContent = posts.map((post) => `${post.score} ${post.title}`).join('\n');
});
document.body.addEventListener('click', () => void forum.posts.upvote(String(document.body.dataset.post)));
