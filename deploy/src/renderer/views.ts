import { isSubdomainLabel, parseHostPort } from './address.js';

/** What the renderer does with the keys it watches. */
export type RenderMode = 'load-balancer' | 'proxy';

/** The etcd prefixes of DESIGN.md. */
export const UPSTREAM_PREFIX = '/services/news-forum/upstream/';
export const SUBDOMAIN_PREFIX = '/subdomains/';

/** A key whose value (or name) cannot be rendered, and why. */
export interface SkippedKey {
  key: string;
  value: string;
  reason: string;
}

/** One `host:port` entry of the rendered set, named by its key. */
export interface Entry {
  name: string;
  address: string;
}

/** An instance name as a node registers it (INSTANCE_NAME, a host name by default). */
const INSTANCE = /^[a-z0-9][a-z0-9._-]{0,252}$/i;

/**
 * The valid entries under `prefix`, sorted by name, and the keys skipped: a
 * name must be one segment right under the prefix, and in proxy mode is a
 * subdomain label, compared as nginx compares upstream names (in any case):
 * the first key of a name wins.
 */
export function readEntries(keys: Record<string, string>, mode: RenderMode, prefix: string): { entries: Entry[]; skipped: SkippedKey[] } {
  const entries: Entry[] = [];
  const skipped: SkippedKey[] = [];
  const names = new Set<string>();
  // A key already in lower case first, so that `/subdomains/API` cannot take `api` from `/subdomains/api`.
  const order = ([a]: [string, string], [b]: [string, string]) =>
    Number(a !== a.toLowerCase()) - Number(b !== b.toLowerCase()) || (a < b ? -1 : a > b ? 1 : 0);
  for (const [key, value] of Object.entries(keys).sort(order)) {
    const rest = key.startsWith(prefix) ? key.slice(prefix.length) : key;
    const name = mode === 'proxy' ? rest.toLowerCase() : rest;
    const address = parseHostPort(value.trim());
    if (!address) skipped.push({ key, value, reason: 'the value is not host:port' });
    else if (!(mode === 'proxy' ? isSubdomainLabel(name) : INSTANCE.test(name)))
      skipped.push({ key, value, reason: 'the key does not end in a valid name' });
    else if (names.has(name)) skipped.push({ key, value, reason: `another key names ${name} already` });
    else {
      names.add(name);
      entries.push({ name, address });
    }
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { entries, skipped };
}

/** Settings of the rendered configuration that do not come from etcd. */
export interface ViewSettings {
  listen: string;
  keyPrefix: string;
  /** Proxy mode: the domain under which each key is a subdomain. */
  domain: string;
  /** Load-balancer mode: addresses whose X-Forwarded-For is believed (the public proxy). */
  trustedProxies: string[];
  /** Proxy mode: the certificate and key nginx serves HTTPS with (PEM files); plain HTTP without. */
  tls?: { certificate: string; key: string };
}

/** The object the template is rendered with. */
export function viewOf(mode: RenderMode, entries: Entry[], settings: ViewSettings): object {
  const common = { listen: settings.listen, keyPrefix: settings.keyPrefix };
  if (mode === 'load-balancer') {
    return { ...common, hasServers: entries.length > 0, servers: entries, trustedProxies: settings.trustedProxies };
  }
  return {
    ...common,
    domain: settings.domain,
    tls: settings.tls,
    subdomains: entries.map((entry) => ({ ...entry, isDocs: entry.name === 'docs' })),
  };
}
