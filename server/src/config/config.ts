import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { type AdvertiseAddress, isHost, isWildcard, parseHostPort, wildcardAdvertiseHost } from '../discovery/advertise-address.js';
import type { LimiterName } from '../policy/limits.js';
import type { RateLimit } from '../policy/rate-limiter.js';
import { parseRethinkdbUrl } from '../store/rethinkdb/url.js';
import { ConfigError } from './config-error.js';
import { type EtcdAccess, readEtcdAccess } from './etcd-access.js';

export type StoreKind = 'embedded' | 'postgres' | 'rethinkdb';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export type JwtKeyConfig =
  | { kind: 'secret'; secret: string }
  | { kind: 'keypair'; privateKey: string; publicKey: string; algorithm: 'RS256' | 'ES256' }
  | { kind: 'generated' };

/** A key that only verifies: the one used before the current key (JWT_PREVIOUS_SECRET or JWT_PREVIOUS_PUBLIC_KEY). */
export type PreviousJwtKeyConfig =
  | { kind: 'secret'; secret: string }
  | { kind: 'public-key'; publicKey: string; algorithm: 'RS256' | 'ES256' };

/** Everything the server reads from its environment, validated. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  store: StoreKind;
  databaseUrl: string | undefined;
  rethinkdbUrl: string | undefined;
  /** RETHINKDB_SHARDS × RETHINKDB_REPLICAS of the tables the rethinkdb store creates. */
  rethinkdbLayout: { shards: number; replicas: number };
  redisUrl: string | undefined;
  jwt: JwtKeyConfig;
  /** Tokens signed with this key are still accepted, so the signing key can be replaced without signing everyone out. */
  jwtPrevious: PreviousJwtKeyConfig | undefined;
  tokenTtlSeconds: number;
  /** Origins allowed to call every route and open sockets. */
  corsOrigins: string[];
  /** `*` in CORS_ORIGINS: any origin may read. */
  corsAnyOriginReads: boolean;
  /** PUBLIC_URL: the origin readers reach the forum at, for the canonical links of its pages; unset, each request's own. */
  publicUrl: string | undefined;
  admin: { login: string; password: string } | undefined;
  instanceName: string;
  logLevel: LogLevel;
  /**
   * Which peers' X-Forwarded-For to believe for client addresses (rate
   * limits): false (none), a hop count, or a list of addresses/subnets or
   * `loopback`, `linklocal`, `uniquelocal`, as Express's `trust proxy`.
   */
  trustProxy: false | number | string[];
  /** Registration in etcd; undefined when ETCD_URL is unset. */
  etcd: EtcdConfig | undefined;
  /**
   * DEREGISTER_DELAY: on a graceful stop, how long the node keeps serving
   * after deleting its etcd key, so the load balancer drops it first.
   */
  deregisterDelayMs: number;
  /** MAX_CONNECTIONS_PER_IP: open connections one client address may hold (not counting trusted proxies). */
  maxConnectionsPerIp: number;
  /** PRESENCE_PERIOD: how often each node shares its reader counts and sends changed totals. */
  presencePeriodMs: number;
  /** The rate limits set by RATE_* variables, by limiter name; the others keep their defaults. */
  rateLimits: Partial<Record<RateLimitName, RateLimit>>;
  /** EDIT_WINDOW: how long after creating a post or comment its author may edit it (0: never). */
  editWindowSeconds: number;
  /** FLAG_THRESHOLD: flags by distinct readers that hide an item until a moderator decides. */
  flagThreshold: number;
  /** FLAG_MIN_ACCOUNT_AGE: how old an account must be to flag (moderators any time). */
  flagMinAccountAgeSeconds: number;
}

/** The environment variable of each rate limit. */
export const RATE_LIMIT_VARIABLES = {
  requestsPerIp: 'RATE_REQUESTS_PER_IP',
  writesPerUser: 'RATE_WRITES_PER_USER',
  loginsPerIp: 'RATE_LOGINS_PER_IP',
  failedLoginsPerLoginAndIp: 'RATE_FAILED_LOGINS_PER_LOGIN_AND_IP',
  failedLoginsPerLogin: 'RATE_FAILED_LOGINS_PER_LOGIN',
  signupsPerIp: 'RATE_SIGNUPS_PER_IP',
  socketEventsPerSocket: 'RATE_SOCKET_EVENTS_PER_SOCKET',
} as const satisfies Record<LimiterName, string>;

export type RateLimitName = keyof typeof RATE_LIMIT_VARIABLES;

/** ETCD_URL (endpoints and credentials), ETCD_CA_FILE, ETCD_CERT_FILE, ETCD_KEY_FILE, ETCD_TTL and ADVERTISE_ADDR. */
export interface EtcdConfig extends EtcdAccess {
  /** Lease TTL in seconds: how long a dead node's key outlives it. */
  ttlSeconds: number;
  advertise: AdvertiseAddress;
}

export type Env = Record<string, string | undefined>;

const LOGIN = /^[a-z0-9][a-z0-9_-]{2,31}$/;
const MAX_TTL_SECONDS = 30 * 24 * 3600;

/** The placeholders of the deployment's example settings (deploy/fleet/env/*.env.example): public, so never a secret. */
const PLACEHOLDER = /change-?me/i;

function refusePlaceholder(name: string, secret: string | undefined, what: string): void {
  if (secret !== undefined && PLACEHOLDER.test(secret))
    throw new ConfigError(name, `holds the example placeholder: set ${what} of your own`);
}

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = read(env, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

function port(env: Env): number {
  const raw = read(env, 'PORT') ?? '3000';
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535) throw new ConfigError('PORT', `must be an integer from 0 to 65535 (got "${raw}")`);
  return value;
}

/** `3600`, `90s`, `30m`, `12h`, `7d`. */
function duration(env: Env, name: string, fallback: string, min = 60): number {
  const raw = read(env, name) ?? fallback;
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(raw);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match?.[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const seconds = match ? Number(match[1]) * unit : NaN;
  if (!(seconds >= min && seconds <= MAX_TTL_SECONDS)) {
    throw new ConfigError(name, `must be a duration from ${min}s to 30d such as 3600, 45m, 12h or 7d (got "${raw}")`);
  }
  return seconds;
}

function url(env: Env, name: string, protocols: string[], { host = false, databaseIndex = false } = {}): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL (${protocols.join(' or ')})`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, `must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
  // Without one, the Redis client would quietly use localhost:6379.
  if (host && parsed.hostname === '') throw new ConfigError(name, `must name a host (${parsed.protocol}//host[:port])`);
  // Redis names its databases by number; the client throws a TypeError on anything else.
  if (databaseIndex && !/^\/?\d*$/.test(parsed.pathname))
    throw new ConfigError(name, `may end only in a database number such as /0 (got "${parsed.pathname}")`);
  refusePlaceholder(name, parsed.password, 'a password');
  return raw;
}

function rethinkdb(env: Env): string | undefined {
  const raw = read(env, 'RETHINKDB_URL');
  if (raw !== undefined && !parseRethinkdbUrl(raw)) {
    throw new ConfigError('RETHINKDB_URL', 'must be rethinkdb://[user:password@]host[:port][,host[:port]…]/db (db: letters, digits and _)');
  }
  return raw;
}

function jwtKeys(env: Env): JwtKeyConfig {
  const secret = read(env, 'JWT_SECRET');
  const privateKey = read(env, 'JWT_PRIVATE_KEY')?.replace(/\\n/g, '\n');
  const publicKey = read(env, 'JWT_PUBLIC_KEY')?.replace(/\\n/g, '\n');
  if (secret !== undefined && (privateKey ?? publicKey) !== undefined) {
    throw new ConfigError('JWT_SECRET', 'set either JWT_SECRET or JWT_PRIVATE_KEY/JWT_PUBLIC_KEY, not both');
  }
  if (secret !== undefined) {
    if (secret.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
    // The deployment examples' placeholder is long enough, and public.
    refusePlaceholder('JWT_SECRET', secret, 'a random secret (openssl rand -base64 36)');
    return { kind: 'secret', secret };
  }
  if (privateKey === undefined && publicKey === undefined) return { kind: 'generated' };
  if (privateKey === undefined) throw new ConfigError('JWT_PRIVATE_KEY', 'is required with JWT_PUBLIC_KEY');
  if (publicKey === undefined) throw new ConfigError('JWT_PUBLIC_KEY', 'is required with JWT_PRIVATE_KEY');
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKey);
  } catch {
    throw new ConfigError('JWT_PRIVATE_KEY', 'is not a PEM private key');
  }
  const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
  try {
    if (!spki(createPublicKey(publicKey)).equals(spki(createPublicKey(key)))) throw new Error('mismatch');
  } catch {
    throw new ConfigError('JWT_PUBLIC_KEY', 'is not the public key of JWT_PRIVATE_KEY');
  }
  const algorithm = asymmetricAlgorithm(key);
  if (algorithm) return { kind: 'keypair', privateKey, publicKey, algorithm };
  throw new ConfigError('JWT_PRIVATE_KEY', 'must be an RSA key of at least 2048 bits (RS256) or an EC P-256 key (ES256)');
}

/** The algorithm a key is used with: RS256 for RSA of 2048 bits or more, ES256 for EC P-256; undefined otherwise. */
function asymmetricAlgorithm(key: KeyObject): 'RS256' | 'ES256' | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= 2048) return 'RS256';
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') return 'ES256';
  return undefined;
}

function previousJwtKey(env: Env, current: JwtKeyConfig): PreviousJwtKeyConfig | undefined {
  const secret = read(env, 'JWT_PREVIOUS_SECRET');
  const publicKey = read(env, 'JWT_PREVIOUS_PUBLIC_KEY')?.replace(/\\n/g, '\n');
  if (secret !== undefined && publicKey !== undefined) {
    throw new ConfigError('JWT_PREVIOUS_SECRET', 'set either JWT_PREVIOUS_SECRET or JWT_PREVIOUS_PUBLIC_KEY, not both');
  }
  if (secret !== undefined) {
    if (secret.length < 32) throw new ConfigError('JWT_PREVIOUS_SECRET', 'must be at least 32 characters');
    if (current.kind === 'secret' && current.secret === secret) throw new ConfigError('JWT_PREVIOUS_SECRET', 'must differ from JWT_SECRET');
    return { kind: 'secret', secret };
  }
  if (publicKey === undefined) return undefined;
  let key: KeyObject;
  try {
    key = createPublicKey(publicKey);
  } catch {
    throw new ConfigError('JWT_PREVIOUS_PUBLIC_KEY', 'is not a PEM public key');
  }
  const algorithm = asymmetricAlgorithm(key);
  if (!algorithm)
    throw new ConfigError('JWT_PREVIOUS_PUBLIC_KEY', 'must be an RSA key of at least 2048 bits (RS256) or an EC P-256 key (ES256)');
  if (current.kind === 'keypair' && createPublicKey(current.publicKey).equals(key)) {
    throw new ConfigError('JWT_PREVIOUS_PUBLIC_KEY', 'must differ from JWT_PUBLIC_KEY');
  }
  return { kind: 'public-key', publicKey, algorithm };
}

/** `value` when it is an http(s) origin (no path, query or credentials), else undefined. */
function originOf(value: string): string | undefined {
  try {
    const parsed = new URL(value);
    return ['http:', 'https:'].includes(parsed.protocol) && parsed.origin === value.replace(/\/$/, '') ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

function corsOrigins(env: Env): { origins: string[]; anyReads: boolean } {
  const entries = (read(env, 'CORS_ORIGINS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const origins: string[] = [];
  let anyReads = false;
  for (const entry of entries) {
    if (entry === '*') {
      anyReads = true;
      continue;
    }
    const origin = originOf(entry);
    if (origin === undefined) throw new ConfigError('CORS_ORIGINS', `"${entry}" is not an origin such as https://blog.example.com`);
    origins.push(origin);
  }
  return { origins, anyReads };
}

function publicUrl(env: Env): string | undefined {
  const raw = read(env, 'PUBLIC_URL');
  if (raw === undefined) return undefined;
  const origin = originOf(raw);
  if (origin === undefined) throw new ConfigError('PUBLIC_URL', `"${raw}" is not an origin such as https://forum.example.com`);
  return origin;
}

function host(env: Env): string {
  const value = read(env, 'HOST') ?? '127.0.0.1';
  if (!isHost(value)) throw new ConfigError('HOST', `must be an IP address or a host name (got "${value}")`);
  return value;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

const MAX_PROXY_HOPS = 32;

function trustProxy(env: Env): Config['trustProxy'] {
  const raw = read(env, 'TRUST_PROXY');
  if (raw === undefined || raw === 'false') return false;
  if (/^\d+$/.test(raw)) {
    // A request crosses a few proxies, not thousands; a number this large is a mistake (an address missing its dots).
    if (Number(raw) > MAX_PROXY_HOPS) throw new ConfigError('TRUST_PROXY', `a hop count must be from 0 to ${MAX_PROXY_HOPS} (got ${raw})`);
    return Number(raw);
  }
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!PROXY_NAMES.has(entry) && !(family !== 0 && prefixOk && extra === undefined)) {
      throw new ConfigError('TRUST_PROXY', `"${entry}" is not a hop count, an address or subnet, loopback, linklocal or uniquelocal`);
    }
  }
  return entries;
}

function admin(env: Env): Config['admin'] {
  const login = read(env, 'ADMIN_LOGIN');
  const password = env.ADMIN_PASSWORD;
  if (login === undefined && !password) return undefined;
  if (login === undefined) throw new ConfigError('ADMIN_LOGIN', 'is required with ADMIN_PASSWORD');
  if (!LOGIN.test(login)) throw new ConfigError('ADMIN_LOGIN', 'must be 3 to 32 characters: a-z, 0-9, _ and -');
  if (!password) throw new ConfigError('ADMIN_PASSWORD', 'is required with ADMIN_LOGIN');
  if (password.length < 8) throw new ConfigError('ADMIN_PASSWORD', 'must be at least 8 characters');
  refusePlaceholder('ADMIN_PASSWORD', password, 'a password');
  return { login, password };
}

const ETCD_TTL_RANGE = [2, 300] as const;
const MAX_DEREGISTER_DELAY_MS = 120_000;
/** Room for the balancer to render, check and reload its configuration. */
const DEFAULT_DEREGISTER_DELAY = '2s';
/** etcd keys and nginx comments carry the name: keep it to one safe path segment. */
const INSTANCE_NAME_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function etcdTtl(env: Env): number {
  const raw = read(env, 'ETCD_TTL') ?? '10';
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < ETCD_TTL_RANGE[0] || value > ETCD_TTL_RANGE[1]) {
    throw new ConfigError('ETCD_TTL', `must be a whole number of seconds from ${ETCD_TTL_RANGE[0]} to ${ETCD_TTL_RANGE[1]} (got "${raw}")`);
  }
  return value;
}

function advertiseAddr(env: Env): AdvertiseAddress | undefined {
  const raw = read(env, 'ADVERTISE_ADDR');
  if (raw === undefined) return undefined;
  const parsed = parseHostPort(raw);
  if (!parsed)
    throw new ConfigError(
      'ADVERTISE_ADDR',
      `must be host:port or [v6]:port that others can connect to, such as 10.0.0.5:3000 (got "${raw}")`,
    );
  return parsed;
}

function defaultAdvertise(listenHost: string): AdvertiseAddress {
  if (!isWildcard(listenHost)) return { host: listenHost, port: undefined };
  const found = wildcardAdvertiseHost(listenHost);
  if (found === undefined)
    throw new ConfigError('ADVERTISE_ADDR', `is required: HOST is ${listenHost} and this machine has no non-loopback address to advertise`);
  return { host: found, port: undefined };
}

/** Every variable is checked when set; the defaults that need a machine address only when registering. */
function etcd(env: Env, listenHost: string, instanceName: string): EtcdConfig | undefined {
  const access = readEtcdAccess(env, 'ETCD');
  refusePlaceholder('ETCD_URL', access?.auth?.password, 'a password');
  const ttlSeconds = etcdTtl(env);
  const advertise = advertiseAddr(env);
  if (access === undefined) return undefined;
  if (!INSTANCE_NAME_SEGMENT.test(instanceName)) {
    throw new ConfigError(
      'INSTANCE_NAME',
      `must be 1 to 63 characters (a-z, A-Z, 0-9, ., _ and -, starting with a letter or digit) to name an etcd key (got "${instanceName}")`,
    );
  }
  return { ...access, ttlSeconds, advertise: advertise ?? defaultAdvertise(listenHost) };
}

/** `0`, `2`, `2s`, `1500ms`: from 0 to 120 s. */
function deregisterDelay(env: Env, registered: boolean): number {
  const raw = read(env, 'DEREGISTER_DELAY') ?? (registered ? DEFAULT_DEREGISTER_DELAY : '0');
  const match = /^(\d+)(ms|s)?$/.exec(raw);
  const ms = match ? Number(match[1]) * (match[2] === 'ms' ? 1 : 1000) : NaN;
  if (!(ms >= 0 && ms <= MAX_DEREGISTER_DELAY_MS)) {
    throw new ConfigError('DEREGISTER_DELAY', `must be a delay from 0 to 120s such as 2, 2s or 500ms (got "${raw}")`);
  }
  return ms;
}

/** `10s`, `10`, `500ms`: from 100 ms to 5 min. */
function presencePeriod(env: Env): number {
  const raw = read(env, 'PRESENCE_PERIOD') ?? '10s';
  const match = /^(\d+)(ms|s)?$/.exec(raw);
  const ms = match ? Number(match[1]) * (match[2] === 'ms' ? 1 : 1000) : NaN;
  if (!(ms >= 100 && ms <= 300_000)) {
    throw new ConfigError('PRESENCE_PERIOD', `must be a period from 100ms to 300s such as 10, 10s or 500ms (got "${raw}")`);
  }
  return ms;
}

/** A whole number from `min` to `max`, or `fallback` when unset. */
function count(env: Env, name: string, fallback: number, [min, max]: readonly [number, number]): number {
  const raw = read(env, name) ?? String(fallback);
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

const WINDOW_UNITS_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;
const MAX_WINDOW_MS = 24 * 3_600_000;

/** `600/1m`: at most 600 hits per window of 1 minute (`30s`, `15m`, `1h`; up to 24 h). */
function rateLimits(env: Env): Config['rateLimits'] {
  const limits: Config['rateLimits'] = {};
  for (const [name, variable] of Object.entries(RATE_LIMIT_VARIABLES) as [RateLimitName, string][]) {
    const raw = read(env, variable);
    if (raw === undefined) continue;
    const match = /^(\d+)\/(\d+)(s|m|h)$/.exec(raw);
    const max = Number(match?.[1]);
    const windowMs = Number(match?.[2]) * WINDOW_UNITS_MS[(match?.[3] ?? 's') as keyof typeof WINDOW_UNITS_MS];
    if (!match || !(max >= 1 && max <= 1_000_000) || !(windowMs >= 1000 && windowMs <= MAX_WINDOW_MS)) {
      throw new ConfigError(variable, `must be hits per window such as 600/1m, 10/15m or 20/1h (1 to 1000000 per 1s to 24h; got "${raw}")`);
    }
    limits[name] = { max, windowMs };
  }
  return limits;
}

/**
 * Reads and validates the configuration. Throws a ConfigError naming the
 * first variable with a bad value.
 */
export function loadConfig(env: Env = process.env): Config {
  const store = oneOf(env, 'STORE', ['embedded', 'postgres', 'rethinkdb'] as const, 'embedded');
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const rethinkdbUrl = rethinkdb(env);
  if (store === 'postgres' && databaseUrl === undefined) throw new ConfigError('DATABASE_URL', 'is required when STORE=postgres');
  // A database named without STORE would be ignored, the data going to the embedded store instead.
  const named = databaseUrl !== undefined ? 'DATABASE_URL' : rethinkdbUrl !== undefined ? 'RETHINKDB_URL' : undefined;
  if (named && read(env, 'STORE') === undefined) {
    const kind = named === 'DATABASE_URL' ? 'postgres' : 'rethinkdb';
    throw new ConfigError('STORE', `is not set while ${named} is: set STORE=${kind} to use that database, or STORE=embedded`);
  }
  if (store === 'rethinkdb' && rethinkdbUrl === undefined) throw new ConfigError('RETHINKDB_URL', 'is required when STORE=rethinkdb');
  const cors = corsOrigins(env);
  const listenHost = host(env);
  const instanceName = read(env, 'INSTANCE_NAME') ?? hostname();
  const registration = etcd(env, listenHost, instanceName);
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:'], { host: true, databaseIndex: true });
  const jwt = jwtKeys(env);
  // Redis or etcd means several nodes: each would sign with a secret of its own and refuse the others' tokens.
  const shared = redisUrl !== undefined ? 'REDIS_URL' : registration ? 'ETCD_URL' : undefined;
  if (jwt.kind === 'generated' && shared) {
    throw new ConfigError(
      'JWT_SECRET',
      `is required with ${shared} (several nodes): give every node the same JWT_SECRET, or JWT_PRIVATE_KEY and JWT_PUBLIC_KEY`,
    );
  }
  return {
    port: port(env),
    host: listenHost,
    dataDir: path.resolve(read(env, 'DATA_DIR') ?? './data'),
    store,
    databaseUrl,
    rethinkdbUrl,
    rethinkdbLayout: {
      shards: count(env, 'RETHINKDB_SHARDS', 1, [1, 64]),
      replicas: count(env, 'RETHINKDB_REPLICAS', 1, [1, 64]),
    },
    redisUrl,
    jwt,
    jwtPrevious: previousJwtKey(env, jwt),
    tokenTtlSeconds: duration(env, 'TOKEN_TTL', '24h'),
    corsOrigins: cors.origins,
    corsAnyOriginReads: cors.anyReads,
    publicUrl: publicUrl(env),
    admin: admin(env),
    instanceName,
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'] as const, 'info'),
    trustProxy: trustProxy(env),
    etcd: registration,
    deregisterDelayMs: deregisterDelay(env, registration !== undefined),
    maxConnectionsPerIp: count(env, 'MAX_CONNECTIONS_PER_IP', 256, [1, 100_000]),
    presencePeriodMs: presencePeriod(env),
    rateLimits: rateLimits(env),
    editWindowSeconds: duration(env, 'EDIT_WINDOW', '15m', 0),
    flagThreshold: count(env, 'FLAG_THRESHOLD', 3, [1, 1000]),
    // A day: a handful of accounts made to hide a post have to be made a day ahead, and sign-ups are limited per address.
    flagMinAccountAgeSeconds: duration(env, 'FLAG_MIN_ACCOUNT_AGE', '1d', 0),
  };
}
