import { createClient } from 'redis';
import { createLogger } from '../../src/logger.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A node on a Redis that stops answering while its connections stay open (SIGSTOP), then answers again. */
const REQUESTS_PER_IP = 20;
let redis: TestRedis;
let node: TestServer & { logs: string[] };

beforeAll(async () => {
  redis = await startRedis();
  const logs: string[] = [];
  const logger = createLogger('info', {}, (line) => logs.push((JSON.parse(line) as { msg: string }).msg));
  const env = { REDIS_URL: redis.url, TRUST_PROXY: 'loopback', RATE_REQUESTS_PER_IP: `${REQUESTS_PER_IP}/1h` };
  node = Object.assign(await startTestServer({ env, limits: {}, logger }), { logs });
}, 60_000);

afterAll(async () => {
  redis?.resume();
  await node?.cleanup();
  await redis?.stop();
}, 30_000);

const get = (path: string, address: string) => fetch(`${node.url}${path}`, { headers: { 'x-forwarded-for': address } });

/** The hits Redis holds for an address's request limit (rate-limiter-flexible's key: prefix, limiter, key). */
async function countedInRedis(address: string): Promise<number> {
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    return Number(await client.get(`news-forum:limit:requestsPerIp:${address}`));
  } finally {
    client.destroy();
  }
}

async function limitsMode(): Promise<string> {
  return ((await (await fetch(`${node.url}/readyz`)).json()) as { details: { limits: string } }).details.limits;
}

/** Polls until `check` holds; the test's timeout bounds it. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 200));
}
const limitsAre = (mode: string) => async () => (await limitsMode()) === mode;

test('Redis hangs: the node drops its connection, counts limits in memory and answers; Redis answers again: shared again', async () => {
  expect(await limitsMode()).toBe('shared');
  redis.pause();
  try {
    // The connection stays open, so only an unanswered PING tells.
    await until(limitsAre('per-node'));
    expect(node.logs).toContain('redis does not answer: connecting again');
    expect((await fetch(`${node.url}/readyz`)).status).toBe(503);
    expect(node.logs).toContain("rate limits are counted in this node's memory: Redis is unreachable");
    // Counted in this node's memory: a whole budget, then refused, each request answered.
    const statuses: number[] = [];
    for (let i = 0; i <= REQUESTS_PER_IP; i++) statuses.push((await get('/api', '10.7.0.1')).status);
    expect(statuses).toEqual([...Array(REQUESTS_PER_IP).fill(200), 429]);
  } finally {
    redis.resume();
  }
  await until(limitsAre('shared'));
  expect(node.logs).toContain('rate limits are shared through Redis again');
  // The socket.io adapter's publisher was dropped too (readiness pings it): it is back as well.
  await until(async () => (await fetch(`${node.url}/readyz`)).status === 200);
  // Shared again: counted in Redis, where this address has no hits yet.
  const statuses: number[] = [];
  for (let i = 0; i <= REQUESTS_PER_IP; i++) statuses.push((await get('/api', '10.7.0.2')).status);
  expect(statuses).toEqual([...Array(REQUESTS_PER_IP).fill(200), 429]);
  expect(await countedInRedis('10.7.0.2')).toBe(REQUESTS_PER_IP + 1);
}, 60_000);
