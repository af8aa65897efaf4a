import { rm } from 'node:fs/promises';
import { type RunningServer, startServer } from '../../src/server.js';
import { call } from './http-client.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { startRedis, type TestRedis } from './redis.js';
import { FLAG_ANY_AGE, RELAXED_LIMITS, TEST_PASSWORD_COST, TEST_SECRET, tempDir } from './server.js';

/** Nodes over one PostgreSQL and one Redis, as a deployment runs them. */
export interface RedisNodes {
  readonly pg: TestPostgres;
  readonly redis: TestRedis;
  /** Starts a node named `name`, with `env` added to its environment. */
  node(name: string, env?: Record<string, string>): Promise<RunningServer>;
  /** Creates an account through `server` (password `${login}-password`) and signs in; returns the token. */
  signUp(server: RunningServer, login: string): Promise<string>;
  /** Stops every node still running, then PostgreSQL and Redis, and removes the data directories. */
  stop(): Promise<void>;
}

export async function startRedisNodes(): Promise<RedisNodes> {
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const dataDirs: string[] = [];
  const running: RunningServer[] = [];
  return {
    pg,
    redis,
    async node(name, env = {}) {
      const dir = await tempDir();
      dataDirs.push(dir);
      const server = await startServer({
        env: {
          PORT: '0',
          STORE: 'postgres',
          DATABASE_URL: pg.url,
          REDIS_URL: redis.url,
          JWT_SECRET: TEST_SECRET,
          DATA_DIR: dir,
          INSTANCE_NAME: name,
          LOG_LEVEL: 'silent',
          ...FLAG_ANY_AGE,
          ...env,
        },
        passwordCost: TEST_PASSWORD_COST,
        limits: RELAXED_LIMITS,
        strictResponses: true,
      });
      running.push(server);
      return server;
    },
    async signUp(server, login) {
      const created = await call(server.url, 'PUT', `/api/users/${login}`, { body: { password: `${login}-password` } });
      if (created.status !== 201) throw new Error(`sign-up of ${login} answered ${created.status}`);
      return (await call(server.url, 'POST', '/api/authenticate', { body: { login, password: `${login}-password` } })).body.token;
    },
    async stop() {
      // A node closed twice (by a test, then here) closes once.
      await Promise.allSettled(running.map((server) => server.close()));
      await Promise.allSettled([pg.stop(), redis.stop(), ...dataDirs.map((dir) => rm(dir, { recursive: true, force: true }))]);
    },
  };
}
