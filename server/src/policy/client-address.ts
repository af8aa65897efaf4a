import type { IncomingMessage } from 'node:http';
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
