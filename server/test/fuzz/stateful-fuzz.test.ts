import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { LivePost } from '@news-forum/protocol';
import fc from 'fast-check';
import { applyChanges, connectSocket, eventually, record, subscribe } from '../support/live-client.js';
import { ADMIN, RELAXED_LIMITS, startTestServer, type TestServer } from '../support/server.js';
import { forumCommands, LOGINS, type RealForum } from './forum-commands.js';
import { ForumModel } from './forum-model.js';

/**
 * Random sequences of every operation of openapi.yaml, by several accounts,
 * with valid, stale and garbage tokens and valid and invalid bodies, against
 * a real node; after each sequence a live client's view of the posts must
 * equal the model. `npm run fuzz` sets FUZZ_REQUESTS=20000.
 */
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2_000);
const COMMANDS_PER_RUN = 120;

let t: TestServer;
let requests = 0;
const statuses = new Map<number, number>();

beforeAll(async () => {
  t = await startTestServer({
    // The fuzz tests the API's logic; limits are tested on their own (test/reliability, test/api/limits).
    limits: {
      ...RELAXED_LIMITS,
      requestsPerIp: { max: 10_000_000, windowMs: 60_000 },
      writesPerUser: { max: 10_000_000, windowMs: 60_000 },
      loginsPerIp: { max: 10_000_000, windowMs: 60_000 },
      failedLoginsPerLoginAndIp: { max: 10_000_000, windowMs: 60_000 },
      failedLoginsPerLogin: { max: 10_000_000, windowMs: 60_000 },
      signupsPerIp: { max: 10_000_000, windowMs: 60_000 },
      socketEventsPerSocket: { max: 10_000_000, windowMs: 60_000 },
    },
  });
}, 60_000);

afterAll(async () => {
  await t?.cleanup();
  process.stdout.write(`stateful fuzz: ${requests} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`);
});

const real: RealForum = {
  current: new Map(),
  async call(method, path, options) {
    requests++;
    // t.call throws on any 5xx and on a status the operation does not declare.
    const result = await t.call(method, path, options);
    statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
    return result;
  },
};

/** Back to an empty forum: the admin deletes every other account (and with them everything they wrote) and its own posts. */
async function reset(model: ForumModel): Promise<void> {
  const session = await real.call('POST', '/api/authenticate', { body: { login: ADMIN.login, password: ADMIN.password } });
  const admin = { login: ADMIN.login, incarnation: 1, token: session.body.token as string };
  for (const login of LOGINS) await real.call('DELETE', `/api/users/${login}`, { token: admin.token });
  const left = await real.call('GET', '/api/posts?sort=new&limit=100');
  for (const post of left.body.items as { id: string }[]) await real.call('DELETE', `/api/posts/${post.id}`, { token: admin.token });
  real.current.clear();
  real.current.set(ADMIN.login, admin);
  model.addAccount(ADMIN.login, ADMIN.password, true);
  model.tokens.push(admin);
}

const postView = (post: LivePost) => ({ id: post.id, upvotes: post.upvotes, downvotes: post.downvotes, commentCount: post.commentCount });

test(
  `stateful fuzz: ${REQUESTS} requests over every operation, never a 5xx, never a difference from the model or the live view`,
  async () => {
    // Sequences vary in length: enough runs for the requests wanted, and runs past them end at once.
    const runs = Math.ceil(REQUESTS / (COMMANDS_PER_RUN / 4));
    await fc.assert(
      fc.asyncProperty(fc.commands(forumCommands, { maxCommands: COMMANDS_PER_RUN, size: 'max' }), async (commands) => {
        if (requests >= REQUESTS) return;
        const model = new ForumModel();
        await reset(model);
        const socket = await connectSocket(t.url);
        try {
          const ack = await subscribe(socket, { topic: 'posts', sort: 'new', limit: 100 });
          if (!ack.ok || ack.topic !== 'posts') throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
          const changes = record(socket, 'poststream');
          await fc.asyncModelRun(() => ({ model, real }), commands);
          // The live client ends where the model is.
          const expected = [...model.posts.keys()].sort().map((id) => ({ id, ...model.counters(id) }));
          const live = () =>
            [...applyChanges(ack.snapshot as LivePost[], changes as never).values()].map(postView).sort((a, b) => a.id.localeCompare(b.id));
          await eventually(
            () => JSON.stringify(live()) === JSON.stringify(expected.map(({ score: _, ...rest }) => rest)),
            10_000,
            'the live view to equal the model',
          ).catch(() => expect(live()).toEqual(expected.map(({ score: _, ...rest }) => rest)));
        } finally {
          socket.close();
        }
      }),
      { numRuns: runs, endOnFailure: true },
    );
    expect(requests).toBeGreaterThanOrEqual(REQUESTS);
    // The sequences reached the interesting answers, not only refusals.
    for (const status of [200, 201, 204, 401, 403, 404, 409, 422]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
    // About 30 requests a second on a busy 2-core machine, with room to spare.
  },
  Math.max(300_000, REQUESTS * 100),
);
