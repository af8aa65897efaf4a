import { UPSTREAM_PREFIX } from '../../src/discovery/registration.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { eventually } from '../support/live-client.js';
import { type NodeProcess, startNodeProcess } from '../support/node-process.js';

// The node as the container runs it: the `news-forum-server` bin, stopped by signals.
const TTL = 3;
let etcd: TestEtcd;
const nodes: NodeProcess[] = [];
let killed: NodeProcess;
let terminated: NodeProcess;
let survivor: NodeProcess;

// Processes take seconds to start on a busy machine: start them side by side.
beforeAll(async () => {
  etcd = await startEtcd();
  [killed, terminated, survivor] = await Promise.all([
    startNode('killed'),
    startNode('terminated', { DEREGISTER_DELAY: '2s' }),
    startNode('survivor', { DEREGISTER_DELAY: '120s' }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.cleanup()));
  await etcd?.stop();
});

async function startNode(name: string, env: Record<string, string> = {}): Promise<NodeProcess> {
  const node = await startNodeProcess({ ETCD_URL: etcd.url, ETCD_TTL: String(TTL), INSTANCE_NAME: name, ...env });
  nodes.push(node);
  await eventually(async () => (await etcd.get(UPSTREAM_PREFIX + name)) !== undefined, 30_000, `${name} to register`);
  return node;
}

const status = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(5000) })).status;
const readiness = async (node: NodeProcess) => {
  const response = await fetch(`${node.url}/readyz`, { signal: AbortSignal.timeout(5000) });
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
};

test('kill -9: the key expires with its lease, within the TTL', async () => {
  const node = killed;
  const key = `${UPSTREAM_PREFIX}killed`;
  const { value, lease } = (await etcd.get(key))!;
  expect(value).toBe(node.url.replace('http://', ''));
  expect((await etcd.lease(lease)).grantedTTL).toBe(TTL);

  node.child.kill('SIGKILL');
  const killedAt = Date.now();
  expect(await node.exited).toBe('SIGKILL');
  // Nothing renews the lease any more: what is left of it is at most the TTL.
  expect((await etcd.lease(lease)).TTL).toBeLessThanOrEqual(TTL);
  // etcd checks expiry every 500 ms; the rest of the margin is for a loaded machine.
  await eventually(async () => (await etcd.get(key)) === undefined, TTL * 1000 + 2000, 'the key to expire');
  console.log(`kill -9 to key expiry: ${Date.now() - killedAt} ms (ETCD_TTL=${TTL})`);
});

test('SIGTERM: the key goes first while the node still answers, then it drains and exits 0', async () => {
  const node = terminated;
  const key = `${UPSTREAM_PREFIX}terminated`;
  node.child.kill('SIGTERM');
  const signalledAt = Date.now();
  await eventually(async () => (await etcd.get(key)) === undefined, 10_000, 'the key to be deleted');
  const keyGoneMs = Date.now() - signalledAt;
  // The balancer drops the node while it still serves: no request reaches a closed port.
  expect(await status(`${node.url}/healthz`)).toBe(200);
  expect(await readiness(node)).toMatchObject({ status: 503, checks: { etcd: 'fail' } });
  expect(await node.exited).toBe(0);
  console.log(`SIGTERM to key deleted: ${keyGoneMs} ms; to exit: ${Date.now() - signalledAt} ms (DEREGISTER_DELAY=2s)`);
  const order = [
    'signal received: stopping gracefully',
    'deregistered: etcd key deleted',
    'waiting for the load balancer to drop this node',
    'closing: no new connections, requests in flight may finish',
    'stopped',
  ].map(node.logIndex);
  expect(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]!))).toBe(true);
  expect(node.stderr()).toBe('');
});

test('etcd killed and restarted empty: not ready meanwhile, registered again within one TTL; a second SIGTERM stops at once', async () => {
  const node = survivor;
  const key = `${UPSTREAM_PREFIX}survivor`;
  const before = (await etcd.get(key))!;
  expect(await readiness(node)).toMatchObject({ status: 200, checks: { etcd: 'ok' } });

  await etcd.kill();
  await eventually(async () => (await readiness(node)).checks.etcd === 'fail', 10_000, '/readyz to report etcd');
  expect(await readiness(node)).toMatchObject({ status: 503, checks: { store: 'ok', etcd: 'fail' } });
  expect(await status(`${node.url}/api/posts`)).toBe(200);

  // An empty etcd (a member rebuilt): the key can only come back if the node writes it again.
  await etcd.start({ fresh: true });
  const restartedAt = Date.now();
  await eventually(async () => (await etcd.get(key).catch(() => undefined)) !== undefined, TTL * 1000, 'the key to be back');
  console.log(`etcd restart to re-registration: ${Date.now() - restartedAt} ms (ETCD_TTL=${TTL})`);
  const after = (await etcd.get(key))!;
  expect(after.value).toBe(before.value);
  expect((await etcd.lease(after.lease)).grantedTTL).toBe(TTL);
  await eventually(async () => (await readiness(node)).status === 200, 10_000, '/readyz to be ok');
  // etcd dying neither stopped the node nor raised anything unhandled.
  expect(node.child.exitCode).toBeNull();
  expect(node.stderr()).toBe('');

  node.child.kill('SIGTERM');
  await eventually(async () => (await etcd.get(key)) === undefined, 10_000, 'the key to be deleted');
  await eventually(() => node.logIndex('waiting for the load balancer to drop this node') >= 0, 10_000, 'the wait');
  node.child.kill('SIGTERM');
  // Exiting at all proves the 120 s wait was cut short: the test's timeout is 30 s.
  expect(await node.exited).toBe(0);
  expect(node.logIndex('second signal: stopping now')).toBeGreaterThan(node.logIndex('waiting for the load balancer to drop this node'));
});
