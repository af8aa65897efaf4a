import { isIPv4, isIPv6 } from 'node:net';

/** A DNS name: labels of letters, digits and inner hyphens. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * Parses an upstream address written in etcd: strictly `host:port`, where host
 * is an IPv4 address, a bracketed IPv6 address or a host name, and port is
 * 1-65535. Returns the canonical `host:port`, or undefined for anything else
 * (spaces, semicolons, braces, schemes, paths...), so that no value read from
 * etcd can add a directive to an nginx configuration.
 *
 * @example
 * parseHostPort('10.1.7.24:4000');                    // '10.1.7.24:4000'
 * parseHostPort('1.2.3.4:80; include /etc/passwd');   // undefined
 */
export function parseHostPort(value: string): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})$/i.exec(value);
  if (!match) return undefined;
  const [, host, portText] = match as unknown as [string, string, string];
  const port = Number(portText);
  if (port < 1 || port > 65535 || portText !== String(port)) return undefined;
  if (host.startsWith('[')) return isIPv6(host.slice(1, -1)) ? `${host.toLowerCase()}:${port}` : undefined;
  // All digits and dots: it must be a valid IPv4 address, not a host name.
  if (/^[\d.]+$/.test(host)) return isIPv4(host) ? `${host}:${port}` : undefined;
  return HOST_NAME.test(host) ? `${host.toLowerCase()}:${port}` : undefined;
}

/** A subdomain label as it may appear in a `server_name`. */
export function isSubdomainLabel(name: string): boolean {
  return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(name);
}
