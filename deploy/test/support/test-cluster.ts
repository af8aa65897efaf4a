import pg from 'pg';
import { type Cluster, startCluster } from '../../src/cluster/cluster.js';
import { removeDir, tempDir } from './temp-dir.js';

/** Lease TTL of the test clusters: short, so expiry-bound waits stay short. */
export const TEST_TTL_SECONDS = 5;

/** One cluster per test file, as `npm run cluster` starts it, in a temporary directory. */
export async function startTestCluster(): Promise<{ cluster: Cluster; db: pg.Pool; stop(): Promise<void> }> {
  const dir = await tempDir('cluster');
  let cluster: Cluster;
  try {
    cluster = await startCluster({ dir, nodes: 3, ttlSeconds: TEST_TTL_SECONDS, nodeEnv: { LOG_LEVEL: 'warn' } });
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
  const db = new pg.Pool({ connectionString: cluster.info().database, max: 4 });
  return {
    cluster,
    db,
    async stop() {
      await db.end().catch(() => undefined);
      // Nothing after a file's last test looks at how its cluster ends, and a graceful stop only costs time: the
      // nodes wait DEREGISTER_DELAY and drain (2 s), etcd's three members stopped together with SIGTERM take about
      // 7 s. So: kill -9 of the nodes, then of etcd (sidekicks and nodes first: they would wait on a dead etcd to
      // deregister); cluster.stop() ends the rest (demo, renderers, PostgreSQL, Redis) as it always did.
      await Promise.all(cluster.nodes.map((node) => node.stopSidekick()));
      await Promise.all(cluster.nodes.map((node) => node.kill()));
      await cluster.etcd.stop(true);
      await cluster.stop();
      // KEEP_CLUSTER=1 keeps the state directory (logs) of a failed run.
      if (!process.env.KEEP_CLUSTER) await removeDir(dir);
    },
  };
}
