import { Registration, UPSTREAM_PREFIX } from '../../src/discovery/registration.js';
import type { Logger } from '../../src/logger.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { eventually } from '../support/live-client.js';

// The key can go while its lease lives: `etcdctl del`, or another process registering under the same name.
const TTL = 3;
let etcd: TestEtcd;
let registration: Registration | undefined;
const warnings: string[] = [];
const logger: Logger = {
  debug() {},
  info() {},
  warn: (msg) => void warnings.push(msg),
  error() {},
  child: () => logger,
};

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await registration?.stop();
  await etcd?.stop();
});

async function etcdCall(path: string, body: Record<string, string>): Promise<void> {
  const response = await fetch(`${etcd.url}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`etcd ${path}: ${response.status}`);
}
const base64 = (text: string) => Buffer.from(text).toString('base64');

const ready = () =>
  registration!.check().then(
    () => true,
    () => false,
  );

test('a key deleted or overwritten while the lease lives is written again on that lease, within one TTL', async () => {
  const key = `${UPSTREAM_PREFIX}node-k`;
  registration = new Registration({ endpoints: [etcd.url], ttlSeconds: TTL, name: 'node-k', address: '127.0.0.1:4000', logger });
  registration.start();
  await eventually(async () => (await etcd.get(key)) !== undefined && (await ready()), 10_000, 'registered');
  const { lease } = (await etcd.get(key))!;

  await etcdCall('/v3/kv/deleterange', { key: base64(key) });
  expect(await etcd.get(key)).toBeUndefined();
  await eventually(async () => (await etcd.get(key)) !== undefined, TTL * 1000, 'the key written again');
  expect(await etcd.get(key)).toEqual({ value: '127.0.0.1:4000', lease });
  expect(warnings).toContain('etcd key gone while its lease lives; writing it again');
  expect(await ready()).toBe(true);

  // Another writer of the same name, on no lease: the key would outlive both of them.
  await etcdCall('/v3/kv/put', { key: base64(key), value: base64('127.0.0.1:9999') });
  await eventually(async () => (await etcd.get(key))?.value === '127.0.0.1:4000', TTL * 1000, 'the key taken back');
  expect(await etcd.get(key)).toEqual({ value: '127.0.0.1:4000', lease });
  await eventually(ready, 2000, 'ready');
}, 30_000);
