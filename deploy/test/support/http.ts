import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One real HTTP request with node:http, which (unlike fetch) sends the Host
 * header it is given and can leave from a chosen 127.0.0.x address. An
 * `https:` URL trusts `ca`, and checks the certificate against the address
 * connected to (the Host header picks a virtual host, not the certificate).
 */
export function httpGet(
  url: string,
  options: { host?: string; localAddress?: string; headers?: Record<string, string>; method?: string; ca?: string } = {},
): Promise<Answer> {
  const https = url.startsWith('https:');
  const tls = https && {
    ca: options.ca,
    checkServerIdentity: (_: string, cert: PeerCertificate) => checkServerIdentity(new URL(url).hostname, cert),
  };
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : request)(
      url,
      {
        ...tls,
        method: options.method ?? 'GET',
        headers: { ...options.headers, ...(options.host && { host: options.host }) },
        ...(options.localAddress && { localAddress: options.localAddress }),
        timeout: 10_000,
        // A new connection each time: a kept-alive one may belong to a worker of the previous configuration.
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.once('error', reject);
    req.end();
  });
}

/** Source addresses for clients: the hash spreads them because each is a different client. */
export const SOURCE_ADDRESSES = Array.from({ length: 40 }, (_, i) => `127.0.0.${i + 2}`);
