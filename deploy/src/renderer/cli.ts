#!/usr/bin/env node
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readEtcdAccess } from '@news-forum/server/etcd-access';
import { isDeployError } from '../deploy-error.js';
import { jsonLog } from '../log.js';
import { parseHostPort } from './address.js';
import { startRenderer } from './renderer.js';

const USAGE = `usage: news-forum-renderer --mode load-balancer|proxy --etcd URL[,URL…] --listen HOST:PORT --dir DIR
    [--template FILE] [--prefix KEY_PREFIX] [--domain DOMAIN] [--trust-proxy ADDR[,ADDR…]]
    [--tls-cert FILE --tls-key FILE]   (proxy: serve HTTPS with this PEM certificate chain and key)
    [--register NAME[,NAME…] --register-etcd URL[,URL…] --advertise HOST:PORT [--register-ttl SECONDS]]
  --etcd defaults to $ETCD_URL and --register-etcd to $PUBLIC_ETCD_URL; an etcd user signs in
  with credentials in the URL (http://user:password@host:2379), best passed in the environment,
  where other accounts cannot read them as they can a command line. For https endpoints,
  ETCD_CA_FILE, ETCD_CERT_FILE and ETCD_KEY_FILE (PUBLIC_ETCD_… for --register-etcd) name the
  certificate authorities to trust and a client certificate.`;

function fail(message: string): never {
  process.stderr.write(`news-forum-renderer: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function parseOptions() {
  try {
    return parseArgs({
      options: {
        mode: { type: 'string' },
        etcd: { type: 'string' },
        listen: { type: 'string' },
        dir: { type: 'string' },
        template: { type: 'string' },
        prefix: { type: 'string' },
        domain: { type: 'string' },
        'trust-proxy': { type: 'string' },
        register: { type: 'string' },
        'register-etcd': { type: 'string' },
        advertise: { type: 'string' },
        'register-ttl': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
}

const parsed = parseOptions();

/** The file a flag names, as an absolute path nginx can read (checked now: nginx would say it at its first render). */
function readable(flag: '--tls-cert' | '--tls-key'): string {
  const file = path.resolve(String(parsed[flag.slice(2) as 'tls-cert' | 'tls-key']));
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    fail(`${flag}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
  return file;
}
if (parsed.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const names = list(parsed.register);
/** One etcd's settings: the flag's URL, else `<prefix>_URL`, and `<prefix>_CA_FILE`, `_CERT_FILE`, `_KEY_FILE`. */
const etcdAccess = (flag: 'etcd' | 'register-etcd', prefix: string) => {
  try {
    return readEtcdAccess(process.env, prefix, parsed[flag] ? { url: parsed[flag], name: `--${flag}` } : undefined);
  } catch (error) {
    fail((error as Error).message);
  }
};
const mode = parsed.mode;
if (mode !== 'load-balancer' && mode !== 'proxy') fail('--mode must be load-balancer or proxy');
const etcd = etcdAccess('etcd', 'ETCD');
if (!etcd) fail('--etcd (or ETCD_URL) is required');
const registerEtcd = names.length > 0 ? etcdAccess('register-etcd', 'PUBLIC_ETCD') : undefined;
if (!parsed.dir) fail('--dir is required');
if (!parsed.listen || !parseHostPort(parsed.listen)) fail('--listen must be host:port');
if (names.length > 0 && (!registerEtcd || !parsed.advertise || !parseHostPort(parsed.advertise))) {
  fail('--register needs --register-etcd (or PUBLIC_ETCD_URL) and --advertise host:port');
}
if (Boolean(parsed['tls-cert']) !== Boolean(parsed['tls-key'])) fail('--tls-cert and --tls-key go together');
if (parsed['tls-cert'] && mode !== 'proxy') fail('--tls-cert and --tls-key are for --mode proxy');
const tls = parsed['tls-cert'] && parsed['tls-key'] ? { certificate: readable('--tls-cert'), key: readable('--tls-key') } : undefined;
const ttl = Number(parsed['register-ttl'] ?? '10');
if (!Number.isInteger(ttl) || ttl < 2) fail('--register-ttl must be a whole number of seconds, at least 2');

const log = jsonLog(`renderer-${mode}`);
try {
  const renderer = await startRenderer({
    mode,
    etcd,
    dir: parsed.dir,
    listen: parsed.listen,
    ...(parsed.template && { template: parsed.template }),
    ...(parsed.prefix && { keyPrefix: parsed.prefix }),
    ...(parsed.domain && { domain: parsed.domain }),
    trustedProxies: list(parsed['trust-proxy']),
    ...(tls && { tls }),
    ...(names.length > 0 &&
      registerEtcd &&
      parsed.advertise && { register: { etcd: registerEtcd, names, advertise: parsed.advertise, ttlSeconds: ttl } }),
    log,
  });
  log('info', 'serving', { url: renderer.url, nginx: renderer.nginxPid() });
  const stop = () => {
    void renderer.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (!isDeployError(error)) throw error;
  process.stderr.write(`news-forum-renderer: ${error.message}\n`);
  process.exit(1);
}
