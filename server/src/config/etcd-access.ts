import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { ConfigError } from './config-error.js';

/** Where an etcd client connects, and as whom. */
export interface EtcdAccess {
  /** Client endpoints, `http(s)://host:port`, all with the same scheme, without credentials. */
  endpoints: string[];
  /** etcd's user and password (etcd's `auth enable`); absent when none were given. */
  auth?: { username: string; password: string } | undefined;
  /** For `https` endpoints: the certificates etcd's are checked against, and a client certificate for etcd's `--client-cert-auth`. */
  tls?: EtcdTls | undefined;
}

/** PEM contents, as etcd3's `credentials` takes them. */
export interface EtcdTls {
  /** The certificate authorities etcd's certificate must chain to (the system's when `<PREFIX>_CA_FILE` is unset). */
  rootCertificate: Buffer;
  privateKey?: Buffer;
  certChain?: Buffer;
}

type Env = Record<string, string | undefined>;

/**
 * Reads one etcd's settings from the environment: `<prefix>_URL` (see
 * parseEtcdUrl), and for https endpoints `<prefix>_CA_FILE` (PEM file of the
 * certificate authorities that signed etcd's certificates, when not the
 * system's) and `<prefix>_CERT_FILE` with `<prefix>_KEY_FILE` (a client
 * certificate and its key). Undefined when `<prefix>_URL` is unset.
 *
 * @example
 * readEtcdAccess(process.env, 'ETCD'); // ETCD_URL, ETCD_CA_FILE, ETCD_CERT_FILE, ETCD_KEY_FILE
 */
export function readEtcdAccess(
  env: Env,
  prefix: string,
  /** The endpoints from elsewhere than `<prefix>_URL` (a command-line flag), and that setting's name. */
  from?: { url: string | undefined; name: string },
): EtcdAccess | undefined {
  const urlName = from?.name ?? `${prefix}_URL`;
  const raw = (from ? from.url : env[urlName])?.trim();
  const names = { ca: `${prefix}_CA_FILE`, cert: `${prefix}_CERT_FILE`, key: `${prefix}_KEY_FILE` };
  const file = (name: string) => {
    const path = env[name]?.trim();
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(name, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const [ca, cert, key] = [file(names.ca), file(names.cert), file(names.key)];
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(cert === undefined ? names.cert : names.key, `is required with ${cert === undefined ? names.key : names.cert}`);
  }
  if (!raw) return undefined;
  const access = parseEtcdUrl(urlName, raw);
  const secure = access.endpoints[0]?.startsWith('https:');
  if (!secure && (ca || cert)) throw new ConfigError(ca ? names.ca : names.cert, `needs https endpoints in ${urlName}`);
  if (!secure) return access;
  return {
    ...access,
    tls: { rootCertificate: ca ?? Buffer.from(rootCertificates.join('\n')), ...(cert && key && { certChain: cert, privateKey: key }) },
  };
}

const SHAPE = 'an endpoint such as http://etcd1:2379 or http://user:password@etcd1:2379 (http or https, a port, no path)';

const decode = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
};

/**
 * Parses a comma list of etcd endpoints, as ETCD_URL takes them. Credentials
 * (`user:password@`, %-encoded) may be written on any of them: etcd's users
 * belong to its cluster, so they are used for every endpoint, and two
 * different ones are an error. `variable` names the setting in the error.
 *
 * @example
 * parseEtcdUrl('ETCD_URL', 'https://node:s3cret@etcd1:2379,https://etcd2:2379');
 * // { endpoints: ['https://etcd1:2379', 'https://etcd2:2379'], auth: { username: 'node', password: 's3cret' } }
 */
export function parseEtcdUrl(variable: string, raw: string): EtcdAccess {
  const credentials = new Set<string>();
  let auth: EtcdAccess['auth'];
  const endpoints = raw.split(',').map((entry) => {
    const value = entry.trim();
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(variable, `"${redact(value)}" is not ${SHAPE}`);
    }
    // URL drops a port that is the scheme's default: read it from the text.
    const port = parsed.port || /:(\d+)\/?$/.exec(value)?.[1];
    if (
      !['http:', 'https:'].includes(parsed.protocol) ||
      !port ||
      parsed.search ||
      parsed.hash ||
      !['', '/'].includes(parsed.pathname) ||
      (parsed.password && !parsed.username)
    ) {
      throw new ConfigError(variable, `"${redact(value)}" is not ${SHAPE}`);
    }
    if (parsed.username) {
      const username = decode(parsed.username);
      const password = decode(parsed.password);
      if (!username || password === undefined || !parsed.password) {
        throw new ConfigError(variable, `"${redact(value)}" needs both a user and a password, %-encoded`);
      }
      credentials.add(`${parsed.username}:${parsed.password}`);
      auth = { username, password };
    }
    return `${parsed.protocol}//${parsed.hostname}:${port}`;
  });
  if (new Set(endpoints.map((endpoint) => endpoint.split(':')[0])).size > 1) {
    throw new ConfigError(variable, 'endpoints must all use http or all use https');
  }
  if (credentials.size > 1) throw new ConfigError(variable, 'endpoints carry different credentials: etcd has one set of users');
  return { endpoints, auth };
}

/** `value` with a password written in it replaced by `***`, for messages and logs. */
function redact(value: string): string {
  return value.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}
