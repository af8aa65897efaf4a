// The demo page's own script: fills in the forum's address (this server's, or
// the API origin the page's widget uses), links the third-party page, and runs
// the SDK example with the bundle's createClient.
import { createClient } from '%BUNDLE%';

const origin = new URL(document.querySelector('#forum news-forum').getAttribute('api'), location.href).origin;
document.querySelector('#embed-snippet').textContent =
  `<script type="module" src="${origin}/news-forum.js"></script>\n<news-forum api="${origin}"></news-forum>`;

const port = document.querySelector('#third-party-link').dataset.port;
for (const link of document.querySelectorAll('#third-party-link, #third-party-link-2')) {
  if (port) link.href = `${location.protocol}//${location.hostname}:${port}/`;
}

const list = document.querySelector('#sdk-top');
const forum = createClient({ baseUrl: origin });
forum.live.posts.watch({ sort: 'top', limit: 5 }).subscribe(
  (posts) => {
    const items = posts.map((post) => {
      const item = document.createElement('li');
      item.textContent = `${post.score} ${post.score === 1 ? 'point' : 'points'} · ${post.title}`;
      return item;
    });
    if (items.length === 0) items.push(Object.assign(document.createElement('li'), { textContent: 'No posts yet.' }));
    list.replaceChildren(...items);
  },
  (error) => list.replaceChildren(Object.assign(document.createElement('li'), { textContent: `Error: ${error.message}` })),
);
