// The blog's own script: shows the events the widget fires, as any host page could use them.
const log = document.querySelector('#events');
const forum = document.querySelector('news-forum');
const describe = {
  'news-forum-login': (d) => `signed in as ${d.user.login}${d.created ? ' (new account)' : ''}`,
  'news-forum-logout': (d) => `signed out (${d.reason})`,
  'news-forum-vote': (d) => `voted ${d.vote} on "${d.post.title}"`,
  'news-forum-post-created': (d) => `posted "${d.post.title}"`,
  'news-forum-comment-created': () => 'commented on a post',
  'news-forum-error': (d) => `error (${d.action}): ${d.message}`,
};
for (const [name, text] of Object.entries(describe)) {
  forum.addEventListener(name, (event) => {
    const item = document.createElement('li');
    item.textContent = `${new Date().toLocaleTimeString()} ${name}: ${text(event.detail)}`;
    log.prepend(item);
  });
}
