import { createLogger } from '../../src/logger.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** Three nodes on one Redis, each with its own database: only Redis joins them. */
const REQUESTS_PER_IP = 30;
const FAILED_PER_LOGIN = 20;
let redis: TestRedis;
/** `logs` holds each log line's message; `lines`, the whole lines, for a failure's report. */
type Node = TestServer & { logs: string[]; lines: string[] };
let nodes: Node[] = [];

async function startNode(env: Record<string, string>): Promise<Node> {
  const logs: string[] = [];
  const lines: string[] = [];
  const logger = createLogger('info', {}, (line) => {
    lines.push(line);
    logs.push((JSON.parse(line) as { msg: string }).msg);
  });
  // The limits come from the environment alone, as in production.
  const node = await startTestServer({ env, limits: {}, logger });
  return Object.assign(node, { logs, lines });
}

beforeAll(async () => {
  redis = await startRedis();
  const env = {
    REDIS_URL: redis.url,
    // Each test speaks for its own client address through X-Forwarded-For.
    TRUST_PROXY: 'loopback',
    RATE_REQUESTS_PER_IP: `${REQUESTS_PER_IP}/1h`,
    RATE_LOGINS_PER_IP: '1000/1h',
    RATE_FAILED_LOGINS_PER_LOGIN: `${FAILED_PER_LOGIN}/1h`,
  };
  nodes = await Promise.all([1, 2, 3].map((n) => startNode({ ...env, INSTANCE_NAME: `limits-${n}` })));
}, 120_000);

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.cleanup()));
  await redis?.stop();
}, 30_000);

function from(address: string) {
  return {
    get: (node: Node, path: string) => fetch(`${node.url}${path}`, { headers: { 'x-forwarded-for': address } }),
    signUp: (node: Node, login: string, password: string) =>
      fetch(`${node.url}/api/users/${login}`, {
        method: 'PUT',
        headers: { 'x-forwarded-for': address, 'content-type': 'application/json' },
        body: JSON.stringify({ password }),
      }),
    login: (node: Node, login: string, password: string) =>
      fetch(`${node.url}/api/authenticate`, {
        method: 'POST',
        headers: { 'x-forwarded-for': address, 'content-type': 'application/json' },
        body: JSON.stringify({ login, password }),
      }),
  };
}

async function readyz(node: Node): Promise<{ status: number; body: { checks: Record<string, string>; details: { limits: string } } }> {
  const r = await fetch(`${node.url}/readyz`);
  return { status: r.status, body: (await r.json()) as { checks: Record<string, string>; details: { limits: string } } };
}

/** Waits until every node's readiness passes `predicate`; on timeout, says what each node last answered and logged. */
const eventually = async (predicate: (ready: Awaited<ReturnType<typeof readyz>>) => boolean, what: string, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answers = await Promise.all(nodes.map(readyz));
    if (answers.every(predicate)) return;
    if (Date.now() > deadline) {
      const report = nodes.map((node, i) => `${JSON.stringify(answers[i])}\n  ${node.lines.slice(-8).join('\n  ')}`);
      throw new Error(`timed out waiting for ${what}; each node's readiness and last log lines:\n${report.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

test('the nodes say their limits are shared', async () => {
  for (const node of nodes) {
    const { status, body } = await readyz(node);
    expect(status).toBe(200);
    expect(body.details.limits).toBe('shared');
  }
});

test('10 failed logins for one login spread over three nodes: the 11th is refused on every node', async () => {
  const client = from('10.1.0.1');
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await client.login(nodes[i % 3]!, 'target-login', `guess-${i}`)).status);
  expect(statuses).toEqual(Array(10).fill(401));
  for (const node of nodes) {
    const refused = await client.login(node, 'target-login', 'guess-x');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  }
  // Another address guessing the same login has its own budget.
  expect((await from('10.1.0.2').login(nodes[0]!, 'target-login', 'guess-y')).status).toBe(401);
});

test("strangers guessing on every node exhaust the login's budget, but not for an address its owner signed in from on another node", async () => {
  const [a, b, c] = nodes as [Node, Node, Node];
  const owner = from('10.5.0.1');
  // Each node has a database of its own here: the account exists on each, alike.
  for (const node of nodes) expect((await owner.signUp(node, 'owner', 'owner-password')).status).toBe(201);
  expect((await owner.login(a, 'owner', 'owner-password')).status).toBe(200);
  const guesses: number[] = [];
  for (let i = 0; i < FAILED_PER_LOGIN; i++)
    guesses.push((await from(`10.6.0.${i + 1}`).login(nodes[i % 3]!, 'owner', `guess-${i}`)).status);
  expect(guesses).toEqual(Array(FAILED_PER_LOGIN).fill(401));
  // The account-wide budget is spent everywhere, even for the right password from a new address...
  for (const node of nodes) expect((await from('10.6.1.1').login(node, 'owner', 'owner-password')).status).toBe(429);
  // ...but the owner's address, known from node A, still signs in on B and C.
  expect((await owner.login(b, 'owner', 'owner-password')).status).toBe(200);
  expect((await owner.login(c, 'owner', 'owner-password')).status).toBe(200);
});

test('the per-address request limit is counted across the nodes', async () => {
  const client = from('10.2.0.1');
  const statuses: number[] = [];
  for (let i = 0; i < REQUESTS_PER_IP; i++) statuses.push((await client.get(nodes[i % 3]!, '/api')).status);
  expect(statuses).toEqual(Array(REQUESTS_PER_IP).fill(200));
  for (const node of nodes) expect((await client.get(node, '/api')).status).toBe(429);
  expect((await from('10.2.0.2').get(nodes[1]!, '/api')).status).toBe(200);
  // Probes are not counted: an address out of budget (a sidekick, a balancer) still sees each node ready.
  for (const node of nodes) {
    expect((await client.get(node, '/readyz')).status).toBe(200);
    expect((await client.get(node, '/healthz')).status).toBe(200);
  }
});

test('Redis down: each node limits on its own, says so, answers no 5xx; Redis back: shared again', async () => {
  const logged = nodes.map((node) => node.logs.length);
  await redis.kill();
  try {
    await eventually((r) => r.body.details.limits === 'per-node', 'per-node limits');
    for (const node of nodes) {
      const { status, body } = await readyz(node);
      // Redis itself is a failed check (live streams across nodes need it); the limits only degrade.
      expect(status).toBe(503);
      expect(body.checks.redis).toBe('fail');
      expect(body.checks.store).toBe('ok');
    }
    // Each node now counts alone: a full budget on one node, then refused there, while another node still has its own.
    const client = from('10.3.0.1');
    const statuses: number[] = [];
    for (let i = 0; i < REQUESTS_PER_IP + 1; i++) statuses.push((await client.get(nodes[0]!, '/api')).status);
    expect(statuses.slice(0, REQUESTS_PER_IP)).toEqual(Array(REQUESTS_PER_IP).fill(200));
    expect(statuses[REQUESTS_PER_IP]).toBe(429);
    expect((await client.get(nodes[1]!, '/api')).status).toBe(200);
    // Logins are still limited and answered.
    const guesser = from('10.3.0.2');
    const logins: number[] = [];
    for (let i = 0; i < 11; i++) logins.push((await guesser.login(nodes[2]!, 'another-target', `guess-${i}`)).status);
    expect(logins).toEqual([...Array(10).fill(401), 429]);
    for (const [i, node] of nodes.entries()) {
      expect(node.logs.slice(logged[i]).filter((msg) => msg.startsWith('rate limits are counted in this node'))).toHaveLength(1);
    }
  } finally {
    await redis.start();
  }
  await eventually((r) => r.status === 200 && r.body.details.limits === 'shared', 'shared limits', 40_000);
  const client = from('10.4.0.1');
  for (let i = 0; i < REQUESTS_PER_IP; i++) expect((await client.get(nodes[i % 3]!, '/api')).status).toBe(200);
  for (const node of nodes) expect((await client.get(node, '/api')).status).toBe(429);
  for (const node of nodes) expect(node.logs).toContain('rate limits are shared through Redis again');
}, 120_000);
