import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';
import proxyAddr from 'proxy-addr';
import type { Config } from '../config/config.js';

/**
 * The client address of a raw request (sockets bypass Express), believing
 * X-Forwarded-For only from the peers TRUST_PROXY names, as Express does.
 */
export function clientAddress(config: Pick<Config, 'trustProxy'>): (req: IncomingMessage) => string {
  const { trustProxy } = config;
  const trust = trustProxy === false ? () => false : typeof trustProxy === 'number' ? trustProxy : proxyAddr.compile(trustProxy);
  return (req) => proxyAddr(req, trust as Parameters<typeof proxyAddr>[1]) ?? 'unknown';
}

/**
 * What per-address limits count a client address under: an IPv4 address
 * (also written IPv4-mapped, `::ffff:a.b.c.d`) as it is, an IPv6 address by
 * its /64, which one subscriber is given whole: counted per address, each of
 * its 2^64 addresses would have a budget of its own.
 */
export function limitKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  // IPv4 (the common case, on the path of every request) without parsing.
  if (!address.includes(':') || !ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  return `${parsed.toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
}
