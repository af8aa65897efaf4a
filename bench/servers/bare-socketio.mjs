// The live baseline: a bare socket.io server. Every client that connects
// joins the `posts` room; `POST /vote/<id>` bumps that post's version and
// broadcasts it to the room as `poststream {old_val, new_val}`, the forum's
// shape, then answers with the new version. `subscribe` is acknowledged
// with a fixed first page of 30 posts, as the forum acknowledges it.

import { createServer } from 'node:http';
import { Server } from 'socket.io';

const versions = new Map();
const http = createServer((req, res) => {
  const match = /^\/vote\/([\w-]+)$/.exec(req.url ?? '');
  if (req.method !== 'POST' || !match) {
    res.writeHead(req.url === '/readyz' ? 200 : 404).end();
    return;
  }
  const id = match[1];
  const version = (versions.get(id) ?? 1) + 1;
  versions.set(id, version);
  const doc = { id, title: `post ${id}`, url: null, text: null, author: 'bench', createdAt: '2026-01-01T00:00:00.000Z' };
  const before = { ...doc, upvotes: version - 2, downvotes: 0, score: version - 2, commentCount: 0, version: version - 1 };
  io.to('posts').emit('poststream', { old_val: before, new_val: { ...before, upvotes: version - 1, score: version - 1, version } });
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, version }));
});
const io = new Server(http, { serveClient: false });
const post = (i) => ({
  id: `post-${i}`,
  title: `Benchmark post number ${i} with a title of a usual length`,
  url: `https://example.com/articles/${i}`,
  text: null,
  author: 'bench',
  createdAt: '2026-01-01T00:00:00.000Z',
  upvotes: 0,
  downvotes: 0,
  score: 0,
  commentCount: 0,
  version: 1,
});
const page = Array.from({ length: 30 }, (_, i) => post(i));
io.on('connection', (socket) => {
  socket.join('posts');
  socket.on('subscribe', (_topic, ack) => ack({ ok: true, topic: 'posts', snapshot: page }));
});
http.listen(Number(process.env.PORT), '127.0.0.1');
