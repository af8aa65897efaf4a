/** Where the RethinkDB store connects: one or more servers of one cluster, and the database. */
export interface RethinkdbTarget {
  /** Tried in order; the next one when a server cannot be reached. */
  hosts: { host: string; port: number }[];
  db: string;
  user: string | undefined;
  password: string | undefined;
}

const DEFAULT_PORT = 28015;
const URL_SHAPE = /^rethinkdb:\/\/(?:([^:@/]+)(?::([^@/]*))?@)?([^/@]+)\/([A-Za-z0-9_]{1,64})$/;
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;

/**
 * Parses `rethinkdb://[user:password@]host[:port][,host[:port]…]/db`; returns
 * undefined for anything else. The database name is what RethinkDB accepts
 * (letters, digits and `_`).
 */
export function parseRethinkdbUrl(url: string): RethinkdbTarget | undefined {
  const match = URL_SHAPE.exec(url);
  if (!match) return undefined;
  const [, user, password, hostList = '', db = ''] = match;
  const hosts: RethinkdbTarget['hosts'] = [];
  for (const entry of hostList.split(',')) {
    const [, host, portText] = HOST_PORT.exec(entry.trim()) ?? [];
    const port = Number(portText ?? DEFAULT_PORT);
    if (host === undefined || port < 1 || port > 65535) return undefined;
    hosts.push({ host: host.replace(/^\[(.*)\]$/, '$1'), port });
  }
  try {
    return {
      hosts,
      db,
      user: user === undefined ? undefined : decodeURIComponent(user),
      password: password === undefined ? undefined : decodeURIComponent(password),
    };
  } catch {
    // A malformed %-escape in the credentials.
    return undefined;
  }
}
