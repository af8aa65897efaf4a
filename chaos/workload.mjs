// SDK clients voting, commenting, posting and deleting through both nodes,
// each watching the posts and the comments of the pinned posts live. Every
// write goes to the ledger: acknowledged, or uncertain when no answer came.

import { createClient } from '@news-forum/sdk';
import { sleep } from './processes.mjs';

const VOTES = [1, -1, 0];
const MAX_POSTS = 60;
// Past the 200 comments a comments snapshot holds, so that views paged beyond a snapshot live through the faults.
const MAX_COMMENTS_PER_POST = 300;
const PASSWORD = 'chaos-password-123';

function pick(items, random) {
  return items[Math.floor(random() * items.length)];
}

/** A small seeded generator, so a run can be repeated. */
export function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Signs `login` up and in on the node at `baseUrl`; resolves to its token. */
async function signUp(login, baseUrl) {
  // Signing up and in costs scrypt: patient calls for that, short ones for the workload.
  const setup = createClient({ baseUrl, maxRetries: 5 });
  const created = await setup.users.create(login, { password: PASSWORD });
  if (created.error) throw created.error;
  const session = await setup.login(login, PASSWORD);
  if (session.error) throw session.error;
  return session.data.token;
}

/** One client: an account (signed in as `token`), an SDK client on one node, and its live views. */
function createChaosClient(login, baseUrl, token, pinned) {
  const forum = createClient({ baseUrl, token, maxRetries: 2, timeoutMs: 4_000, ackTimeoutMs: 4_000 });
  const seen = new Map();
  let duplicates = 0;
  const note = (topic) => (change) => {
    const doc = change.new_val ?? change.old_val;
    const key = `${topic}:${doc.id}:${change.new_val ? doc.version : 'deleted'}`;
    if (seen.has(key)) duplicates++;
    seen.set(key, true);
  };
  const stops = [forum.live.posts.on('change', note('posts'))];
  const posts = forum.live.posts.watch({ sort: 'new', limit: 100 });
  const comments = new Map(pinned.map((id) => [id, forum.live.comments(id).watch()]));
  for (const id of pinned) stops.push(forum.live.comments(id).on('change', note(`comments:${id}`)));
  return {
    login,
    forum,
    posts,
    comments,
    get duplicates() {
      return duplicates;
    },
    close() {
      for (const stop of stops) stop();
      forum.close();
    },
  };
}

/** Records what each write did. */
export class Ledger {
  posts = new Map(); // id → { author, state: 'live' | 'deleted' | 'uncertain' }
  comments = new Map(); // id → { postId, author, state }
  votes = new Map(); // `${login} ${postId}` → { value, certain }
  acknowledged = 0;
  uncertain = 0;

  #count(ok) {
    if (ok) this.acknowledged++;
    else this.uncertain++;
  }
  post(id, author) {
    this.posts.set(id, { author, state: 'live' });
    this.#count(true);
  }
  postDeleted(id, ok) {
    this.posts.get(id).state = ok ? 'deleted' : 'uncertain';
    this.#count(ok);
  }
  comment(id, postId, author) {
    this.comments.set(id, { postId, author, state: 'live' });
    this.#count(true);
  }
  commentDeleted(id, ok) {
    this.comments.get(id).state = ok ? 'deleted' : 'uncertain';
    this.#count(ok);
  }
  vote(login, postId, value, ok) {
    this.votes.set(`${login} ${postId}`, { login, postId, value, certain: ok });
    this.#count(ok);
  }
  /** A creation that got no answer: it may exist, which the checks allow. */
  lost() {
    this.#count(false);
  }
}

/** Only a definite refusal (4xx) means the write did not happen. */
const refused = (error) => error?.code === 'api_error' && error.status < 500;

/**
 * Starts `clients` clients spread over `nodes`; `run(ms)` drives the writes
 * for that long, `stop()` ends the clients.
 */
export async function startWorkload({ nodes, clients: count, seed = 1, pace = 60 }) {
  const random = seeded(seed);
  const ledger = new Ledger();
  const accounts = [
    { login: 'chaos-owner', baseUrl: nodes[0].url },
    ...Array.from({ length: count }, (_, i) => ({ login: `chaos-${seed}-${i}`, baseUrl: nodes[i % nodes.length].url })),
  ];
  // Every account at once: each sign-up and sign-in is a scrypt of about a second, and the nodes hash two at a time each.
  const [ownerToken, ...tokens] = await Promise.all(accounts.map(({ login, baseUrl }) => signUp(login, baseUrl)));
  const owner = createChaosClient('chaos-owner', nodes[0].url, ownerToken, []);
  const pinned = [];
  for (const title of ['Pinned one', 'Pinned two']) {
    const { data, error } = await owner.forum.posts.create({ title });
    if (error) throw error;
    pinned.push(data.id);
    ledger.post(data.id, owner.login);
  }
  owner.close();
  const clients = accounts.slice(1).map(({ login, baseUrl }, i) => createChaosClient(login, baseUrl, tokens[i], pinned));

  async function step(client) {
    const { forum, login } = client;
    const live = [...ledger.posts].filter(([, p]) => p.state === 'live').map(([id]) => id);
    const roll = random();
    if (roll < 0.45) {
      const postId = pick(live, random);
      const value = pick(VOTES, random);
      const call = value === 1 ? forum.posts.upvote(postId) : value === -1 ? forum.posts.downvote(postId) : forum.posts.retract(postId);
      const { error } = await call;
      if (error?.status === 404) return; // deleted meanwhile
      if (!refused(error)) ledger.vote(login, postId, value, !error);
    } else if (roll < 0.7) {
      const postId = random() < 0.6 ? pick(pinned, random) : pick(live, random);
      const comments = [...ledger.comments.values()].filter((c) => c.postId === postId && c.state !== 'deleted').length;
      if (comments >= MAX_COMMENTS_PER_POST) return;
      const { data, error } = await forum.comments.create(postId, { text: `from ${login}` });
      if (data) ledger.comment(data.id, postId, login);
      else if (!refused(error)) ledger.lost();
    } else if (roll < 0.8) {
      const mine = [...ledger.comments].filter(([, c]) => c.state === 'live' && c.author === login);
      const own = mine.length > 0 ? pick(mine, random) : undefined;
      if (!own) return;
      const { error } = await forum.comments.delete(own[1].postId, own[0]);
      if (!refused(error)) ledger.commentDeleted(own[0], !error);
    } else if (roll < 0.92) {
      if (ledger.posts.size >= MAX_POSTS) return;
      const { data, error } = await forum.posts.create({ title: `by ${login}` });
      if (data) ledger.post(data.id, login);
      else if (!refused(error)) ledger.lost();
    } else {
      const own = [...ledger.posts].filter(([id, p]) => p.state === 'live' && p.author === login && !pinned.includes(id));
      const victim = own.length > 0 ? pick(own, random) : undefined;
      if (!victim) return;
      const { error } = await forum.posts.delete(victim[0]);
      if (!refused(error)) ledger.postDeleted(victim[0], !error);
    }
  }

  return {
    ledger,
    clients,
    pinned,
    /** Every client writes, one request at a time, until `signal` aborts. */
    async run(signal) {
      await Promise.all(
        clients.map(async (client) => {
          while (!signal.aborted) {
            await step(client);
            await sleep(pace * (0.5 + random()));
          }
        }),
      );
    },
    stop() {
      for (const client of clients) client.close();
    },
  };
}
