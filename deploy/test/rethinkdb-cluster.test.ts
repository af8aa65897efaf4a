import { readFile } from 'node:fs/promises';
import rethinkdb from 'rethinkdb';
import { type Cluster, startCluster } from '../src/cluster/cluster.js';
import { findRethinkdb, RETHINKDB_DATABASE } from '../src/cluster/rethinkdb-servers.js';
import { forumClientFrom } from './support/forum-client.js';
import { SOURCE_ADDRESSES } from './support/http.js';
import { removeDir, tempDir } from './support/temp-dir.js';

function hasRethinkdb(): boolean {
  try {
    findRethinkdb();
    return true;
  } catch {
    return false;
  }
}

// Without a binary this cannot run; the jest global setup prints the one line saying so.
const onRethinkdb = hasRethinkdb() ? describe : describe.skip;

onRethinkdb('npm run cluster -- --store rethinkdb', () => {
  let cluster: Cluster;
  let dir: string;

  beforeAll(async () => {
    dir = await tempDir('cluster-rethinkdb');
    cluster = await startCluster({ dir, nodes: 2, ttlSeconds: 5, store: 'rethinkdb', nodeEnv: { LOG_LEVEL: 'warn' } });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    if (!process.env.KEEP_CLUSTER) await removeDir(dir);
  }, 60_000);

  test('three joined RethinkDB servers hold the tables 3 shards × 3 replicas, and no PostgreSQL runs', async () => {
    const info = JSON.parse(await readFile(`${cluster.dir}/cluster.json`, 'utf8'));
    expect(info.database).toBe(cluster.rethinkdb!.url);
    expect(info.replica).toBeUndefined();
    expect(cluster.database.primary.alive).toBe(false);
    const connection = await rethinkdb.connect({ host: '127.0.0.1', port: cluster.rethinkdb!.servers[0]!.driverPort });
    try {
      const servers = await (rethinkdb.db('rethinkdb').table('server_status').count() as rethinkdb.Operation<number>).run(connection);
      expect(servers).toBe(3);
      const configs = (await (rethinkdb.db('rethinkdb').table('table_config').filter({ db: RETHINKDB_DATABASE }) as any)
        .coerceTo('array')
        .run(connection)) as { name: string; shards: { replicas: string[] }[] }[];
      expect(configs.map((config) => config.name).sort()).toEqual([
        'comments',
        'flags',
        'idempotency_keys',
        'moderation_log',
        'notifications',
        'page_claims',
        'posts',
        'revoked_tokens',
        'users',
        'votes',
      ]);
      for (const config of configs) {
        expect(config.shards).toHaveLength(3);
        for (const shard of config.shards) expect(shard.replicas).toHaveLength(3);
      }
    } finally {
      await connection.close();
    }
  });

  test('the forum works through the load balancer on it', async () => {
    const forum = forumClientFrom(cluster.info().lb, SOURCE_ADDRESSES[0]!, 'websocket');
    try {
      const { error } = await forum.info();
      expect(error).toBeUndefined();
      const login = await forum.login(cluster.admin.login, cluster.admin.password);
      expect(login.error).toBeUndefined();
      const created = await forum.posts.create({ title: 'on RethinkDB' });
      expect(created.data).toMatchObject({ title: 'on RethinkDB', version: 1 });
    } finally {
      await forum.dispose();
    }
  }, 60_000);
});
