import { isIP } from 'node:net';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';

/** Where the load balancer reaches a node; `port` undefined means the port it is bound to. */
export interface AdvertiseAddress {
  host: string;
  port: number | undefined;
}

const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** An IP address or a DNS name, as HOST and ADVERTISE_ADDR accept it. */
export function isHost(value: string): boolean {
  return isIP(value) !== 0 || HOSTNAME.test(value);
}

/** Addresses that mean "every interface": not something another machine can connect to. */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/**
 * Parses `host:port` or `[v6]:port` with a port from 1 to 65535; undefined
 * when it is not one. The port is required: a node listening on a port picked
 * at random cannot be advertised by a fixed value.
 */
export function parseHostPort(raw: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(raw);
  if (!match) return undefined;
  const [, v6, name, portText] = match;
  const host = v6 ?? name;
  if (host === undefined) return undefined;
  const port = Number(portText);
  const valid = v6 !== undefined ? isIP(host) === 6 : isHost(host) && isIP(host) !== 6;
  return valid && port >= 1 && port <= 65535 && !isWildcard(host) ? { host, port } : undefined;
}

/**
 * The address a node listening on a wildcard (`0.0.0.0`, `::`) advertises:
 * its first non-internal IPv4 address (in a container, the one other
 * containers reach it at), or for `::` a global IPv6 address when there is
 * no IPv4. Undefined when the machine has none, so the operator must say.
 */
export function wildcardAdvertiseHost(
  host: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string | undefined {
  const external = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((info) => !info.internal);
  const v4 = external.find((info) => info.family === 'IPv4');
  if (v4) return v4.address;
  if (host === '0.0.0.0') return undefined;
  // Link-local addresses need a zone index to be reached: no use to a balancer.
  return external.find((info) => info.family === 'IPv6' && !/^fe[89ab]/i.test(info.address))?.address;
}

/** `host:port` as etcd stores it and nginx reads it (IPv6 in brackets). */
export function formatHostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
