// Time from a REST vote's response to the change's arrival at 1,000
// subscribed socket.io clients on one node, next to a bare socket.io server
// broadcasting the same payload to 1,000 clients, in the same run.
//
//   npm run build && node bench/live-fanout.mjs [clients=1000] [rounds=40]

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer } from '@news-forum/server';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';

const CLIENTS = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 40);

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), n: sorted.length };
}

async function openClients(url, onChange) {
  const sockets = [];
  for (let i = 0; i < CLIENTS; i += 50) {
    const batch = Array.from({ length: Math.min(50, CLIENTS - i) }, () => {
      const socket = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
      return new Promise((resolve, reject) => {
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', reject);
      });
    });
    sockets.push(...(await Promise.all(batch)));
  }
  for (const socket of sockets) socket.on('poststream', (change) => onChange(change, performance.now()));
  return sockets;
}

/** Resolves when every client has seen `version` of post `id`. */
function arrivals(expect) {
  let pending;
  const times = [];
  return {
    onChange(change, at) {
      if (!pending || change.new_val?.id !== pending.id) return;
      times.push(at);
      if (times.length === CLIENTS) pending.resolve([...times]);
    },
    wait(id) {
      times.length = 0;
      return new Promise((resolve) => (pending = { id, resolve }));
    },
    expect,
  };
}

async function benchForum() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'news-forum-bench-'));
  const server = await startServer({
    env: { PORT: '0', DATA_DIR: dataDir, JWT_SECRET: 'bench-secret-that-is-at-least-32-characters', LOG_LEVEL: 'silent' },
    passwordCost: 2 ** 10,
    limits: {
      requestsPerIp: { max: 1e9, windowMs: 60_000 },
      writesPerUser: { max: 1e9, windowMs: 60_000 },
      signupsPerIp: { max: 1e9, windowMs: 60_000 },
      loginsPerIp: { max: 1e9, windowMs: 60_000 },
    },
  });
  const api = (method, p, token, body) =>
    fetch(`${server.url}/api${p}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: body && JSON.stringify(body),
    }).then((r) => r.json());
  await api('PUT', '/users/bench', undefined, { password: 'bench-password' });
  const { token } = await api('POST', '/authenticate', undefined, { login: 'bench', password: 'bench-password' });
  const posts = [];
  for (let i = 0; i < ROUNDS; i += 1) posts.push((await api('POST', '/posts', token, { title: `bench ${i}` })).id);

  const tracker = arrivals();
  const sockets = await openClients(server.url, tracker.onChange);
  await Promise.all(sockets.map((s) => s.timeout(30_000).emitWithAck('subscribe', { topic: 'posts', limit: 1 })));
  const perClient = [];
  const lastClient = [];
  const fromRequest = [];
  for (const id of posts) {
    const arrived = tracker.wait(id);
    const requested = performance.now();
    await api('POST', `/posts/${id}/upvotes`, token);
    const responded = performance.now();
    const times = await arrived;
    // The feed can deliver before the HTTP response is read: that counts as 0.
    for (const t of times) perClient.push(Math.max(0, t - responded));
    lastClient.push(Math.max(0, Math.max(...times) - responded));
    fromRequest.push(Math.max(...times) - requested);
  }
  for (const s of sockets) s.close();
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
  return { perClient: summary(perClient), lastClient: summary(lastClient), fromRequest: summary(fromRequest) };
}

async function benchBare() {
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  io.on('connection', (socket) => socket.join('posts'));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${http.address().port}`;
  const tracker = arrivals();
  const sockets = await openClients(url, tracker.onChange);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const perClient = [];
  const lastClient = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const id = `post-${i}`;
    const doc = {
      id,
      title: `bench ${i}`,
      url: null,
      text: null,
      author: 'bench',
      createdAt: new Date().toISOString(),
      upvotes: 1,
      downvotes: 0,
      score: 1,
      commentCount: 0,
      version: 2,
    };
    const arrived = tracker.wait(id);
    const sent = performance.now();
    io.to('posts').emit('poststream', { old_val: { ...doc, upvotes: 0, score: 0, version: 1 }, new_val: doc });
    const times = await arrived;
    for (const t of times) perClient.push(t - sent);
    lastClient.push(Math.max(...times) - sent);
  }
  for (const s of sockets) s.close();
  io.close();
  return { perClient: summary(perClient), lastClient: summary(lastClient) };
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;
const bare = await benchBare();
const forum = await benchForum();
console.log(`clients: ${CLIENTS}, rounds: ${ROUNDS}`);
console.log('                         median      p99');
for (const [label, key] of [
  ['per client', 'perClient'],
  ['last client', 'lastClient'],
]) {
  console.log(`bare socket.io ${label.padEnd(11)} ${fmt(bare[key].median).padStart(9)} ${fmt(bare[key].p99).padStart(9)}`);
  console.log(`news-forum     ${label.padEnd(11)} ${fmt(forum[key].median).padStart(9)} ${fmt(forum[key].p99).padStart(9)}`);
  console.log(
    `ratio          ${label.padEnd(11)} ${(forum[key].median / bare[key].median).toFixed(2).padStart(8)}x ${(forum[key].p99 / bare[key].p99).toFixed(2).padStart(8)}x`,
  );
}
console.log(
  `news-forum from vote request to last client: median ${fmt(forum.fromRequest.median)}, p99 ${fmt(forum.fromRequest.p99)} (${(forum.fromRequest.median / bare.lastClient.median).toFixed(2)}x, ${(forum.fromRequest.p99 / bare.lastClient.p99).toFixed(2)}x bare emit-to-last-client)`,
);
process.exit(0);
