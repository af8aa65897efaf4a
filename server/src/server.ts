import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SCOPES } from '@news-forum/protocol';
import type { RequestHandler } from 'express';
import { createApp } from './app.js';
import { resolveJwtKeys } from './auth/jwt-keys.js';
import { PasswordHasher } from './auth/password.js';
import { type RevocationBus, Revocations } from './auth/revocations.js';
import { TokenService } from './auth/tokens.js';
import { wait } from './backoff.js';
import { serveBackups } from './backup/backup-socket.js';
import { type Config, type Env, loadConfig } from './config/config.js';
import { ConfigError } from './config/config-error.js';
import { listenError } from './config/listen-error.js';
import { startRegistration } from './discovery/start-registration.js';
import { answerClientError } from './http/client-error.js';
import { beforeExpress, fastReads } from './http/fast-reads.js';
import type { WidgetBundle } from './http/widget-bundle.js';
import { createLogger, type Logger } from './logger.js';
import { limitConnections } from './policy/connection-limit.js';
import { type LimitSettings, Limits } from './policy/limits.js';
import { type ReadOptions, startReadModels } from './reads/read-models.js';
import { attachGateway, type Gateway, type GatewayOptions } from './realtime/gateway.js';
import type { ServerEvents, Services } from './services.js';
import { openStore, storeOptionsOf } from './store/open-store.js';
import type { Store } from './store/store.js';
import { storeHeard } from './store/store-heard.js';

/** How to start a node; everything but the environment is optional. */
export interface StartOptions {
  /** Environment to read the configuration from (default `process.env`). */
  env?: Env;
  /** A store to use instead of opening the configured one; it is not closed by `close()`. */
  store?: Store;
  /** Rate and size limits overriding the defaults. */
  limits?: Partial<LimitSettings>;
  /** scrypt cost (N) for new password hashes; default 2^17. */
  passwordCost?: number;
  /** Answer 500 when a response drifts from openapi.yaml (for tests). */
  strictResponses?: boolean;
  /** Extra handlers after the API and the widget bundle (the demo site). */
  site?: RequestHandler[];
  /** The widget bundle to serve at /news-forum.js; default `@news-forum/widget`'s (see loadWidgetBundle). */
  widget?: WidgetBundle;
  /** Sizes of the in-memory read models. */
  reads?: Partial<ReadOptions>;
  /** Live-stream settings (coalescing window, presence period). */
  gateway?: GatewayOptions;
  logger?: Logger;
}

/** A running node. */
export interface RunningServer {
  /** `http://host:port` it listens on. */
  url: string;
  port: number;
  config: Config;
  services: Services;
  http: Server;
  gateway: Gateway;
  /**
   * Stops gracefully: deletes its etcd key, waits DEREGISTER_DELAY for the
   * load balancer to drop it, stops accepting, lets requests in flight
   * finish, closes sockets and the store it opened. Aborting `signal` skips
   * what is left of the waits (a second SIGTERM).
   */
  close(options?: { signal?: AbortSignal }): Promise<void>;
}

const CLOSE_GRACE_MS = 2000;
/** How long a starting node waits for its change feed to hear commits before it listens anyway. */
const FEED_WAIT_MS = 5000;

/** Opening the store fails on a bad DATA_DIR or DATABASE_URL; say which. */
async function openConfiguredStore(config: Config): Promise<Store> {
  try {
    return await openStore(storeOptionsOf(config));
  } catch (error) {
    const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];
    // "The database is unavailable" says little: what failed underneath (refused, unknown host, password) says what to fix.
    const cause = error instanceof Error && error.cause !== undefined ? ` (${firstLine(error.cause)})` : '';
    const variable = { embedded: 'DATA_DIR', postgres: 'DATABASE_URL', rethinkdb: 'RETHINKDB_URL' }[config.store];
    const where = config.store === 'postgres' && config.databaseUrl ? ` at ${new URL(config.databaseUrl).host}` : '';
    throw new ConfigError(variable, `cannot open the ${config.store} store${where}: ${firstLine(error)}${cause}`);
  }
}

/**
 * Creates the ADMIN_LOGIN account on the first start. Later starts change
 * nothing, and say so when the account is not what the variables describe
 * (another password, or an account of that name without the admin scope).
 */
async function ensureAdmin(services: Services): Promise<void> {
  const admin = services.config.admin;
  if (!admin) return;
  const existing = await services.store.getUser(admin.login);
  if (existing) {
    if (!existing.scopes.includes('admin')) {
      services.logger.warn('ADMIN_LOGIN names an account without the admin scope: it was left as it is', { login: admin.login });
      return;
    }
    // Checked in the background: a password check costs what a sign-in does, and start-up need not wait for it.
    void services.passwords.verify(admin.password, existing.passwordHash).then(
      (same) =>
        same ||
        services.logger.warn('ADMIN_PASSWORD is not the admin account password: it is used only to create the account', {
          login: admin.login,
        }),
      () => undefined,
    );
    return;
  }
  const created = await services.store
    .createUser({
      login: admin.login,
      displayName: admin.login,
      scopes: [...SCOPES],
      passwordHash: await services.passwords.hash(admin.password),
    })
    .then(
      () => true,
      async (error: unknown) => {
        // Another node created it first.
        if (!(await services.store.getUser(admin.login))) throw error;
        return false;
      },
    );
  if (created) services.logger.info('admin account created', { login: admin.login });
}

/**
 * Starts one node: reads the configuration, opens the store, serves the API.
 *
 * @example
 * const server = await startServer({ env: { PORT: '0', DATA_DIR: '/tmp/forum' } });
 * console.log(server.url);
 * await server.close();
 */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const config = loadConfig(options.env ?? process.env);
  const logger = options.logger ?? createLogger(config.logLevel, { instance: config.instanceName });
  const ownsStore = options.store === undefined;
  const store = options.store ?? (await openConfiguredStore(config));
  // Loaded here, not at the top: a single node without REDIS_URL never pays for the client.
  const redisModule = config.redisUrl ? await import('./redis/connect-redis.js') : undefined;
  const redis =
    redisModule && config.redisUrl ? await redisModule.connectRedis(config.redisUrl, logger, 'limits', { watch: true }) : undefined;
  // Limits given in code win over the environment's.
  const limits = new Limits(
    { ...config.rateLimits, ...options.limits },
    redis && {
      client: redis,
      onModeChange: (mode) =>
        mode === 'shared'
          ? logger.info('rate limits are shared through Redis again')
          : logger.warn("rate limits are counted in this node's memory: Redis is unreachable"),
    },
  );
  const events = new EventEmitter<ServerEvents>();
  const revocations = new Revocations(store, events, logger);
  const services: Services = {
    config,
    store,
    tokens: new TokenService(await resolveJwtKeys(config.jwt, config.dataDir, config.jwtPrevious), config.tokenTtlSeconds),
    passwords: new PasswordHasher(options.passwordCost),
    limits,
    revocations,
    logger,
    events,
    reads: startReadModels(store, logger, options.reads),
  };
  if (config.jwt.kind === 'generated' && config.store !== 'embedded') {
    // Each node generates its own: with several on one database, a token of one is refused by the others.
    logger.warn(
      'JWT_SECRET is not set: this node signs with a secret of its own (DATA_DIR/jwt-secret); give every node on this database the same JWT_SECRET or key pair',
    );
  }
  let bus: RevocationBus | undefined;
  const closeShared = async () => {
    limits.close();
    revocations.close();
    await bus?.close();
    if (redis) await redisModule?.closeRedis(redis);
  };
  try {
    await revocations.load();
    if (redis && config.redisUrl) {
      const { startRevocationBus } = await import('./redis/revocation-bus.js');
      bus = await startRevocationBus(config.redisUrl, redis, logger, {
        onNotice: (notice) => revocations.apply(notice),
        onResubscribed: () => {
          revocations.load().catch((error: Error) => logger.warn('cannot reload revoked tokens', { error: error.message }));
        },
      });
      revocations.useBus(bus);
    }
    await ensureAdmin(services);
  } catch (error) {
    await services.reads.close();
    await closeShared();
    if (ownsStore) await store.close();
    throw error;
  }
  const readiness = new Map<string, () => Promise<void>>();
  const app = createApp(services, {
    strictResponses: options.strictResponses ?? false,
    site: options.site ?? [],
    widget: options.widget,
    readiness,
  });
  // Pages memory holds are answered before Express; everything else goes on to it.
  const http = createServer(beforeExpress(fastReads(services), app));
  http.on('clientError', answerClientError);
  limitConnections(http, config);
  const gateway = await attachGateway(http, services, options.gateway);
  for (const [name, check] of gateway.readiness) readiness.set(name, check);
  // The feed's listening connection is made as the relays subscribe, just above: listening before it hears, a node
  // would answer its first probes 503 (seen as a second of it on a busy machine). Waited for a while, not for ever:
  // a store that stays away is /readyz's to report.
  await storeHeard(store, FEED_WAIT_MS);
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    await gateway.close();
    await services.reads.close();
    await closeShared();
    if (ownsStore) await store.close();
    throw listenError(error, config.host, { variable: 'PORT', value: String(config.port) });
  }
  const { port } = http.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  logger.info('listening', { url: `http://${host}:${port}`, store: store.kind });
  // Registered only now that it serves: the balancer never sees a node that cannot answer.
  const registration = await startRegistration(config, port, logger);
  // Nothing but this node may open its embedded database: backups of it go through the node.
  const backups =
    ownsStore && store.kind === 'embedded'
      ? await serveBackups(config.dataDir, store, logger).catch((error: Error) => {
          logger.warn('backups of this node are not possible: its backup socket failed', { error: error.message });
          return undefined;
        })
      : undefined;
  if (registration) readiness.set('etcd', () => registration.check());
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    config,
    services,
    http,
    gateway,
    close({ signal } = {}) {
      closing ??= (async () => {
        logger.info('stopping');
        await registration?.stop();
        await backups?.close();
        if (config.deregisterDelayMs > 0 && !signal?.aborted) {
          logger.info('waiting for the load balancer to drop this node', { delayMs: config.deregisterDelayMs });
          await wait(config.deregisterDelayMs, signal);
        }
        logger.info('closing: no new connections, requests in flight may finish');
        const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections();
        // Requests under way get a moment to finish; then every connection goes.
        const dropAll = () => http.closeAllConnections();
        const grace = setTimeout(dropAll, signal?.aborted ? 0 : CLOSE_GRACE_MS);
        signal?.addEventListener('abort', dropAll, { once: true });
        await gateway.close();
        await stopped;
        clearTimeout(grace);
        signal?.removeEventListener('abort', dropAll);
        logger.info('sockets closed; closing the store');
        await services.reads.close();
        await closeShared();
        if (ownsStore) await store.close();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}
