import { request } from 'node:http';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One real HTTP request with node:http, which (unlike fetch) sends the Host
 * header it is given and can leave from a chosen 127.0.0.x address.
 */
export function httpGet(
  url: string,
  options: { host?: string; localAddress?: string; headers?: Record<string, string>; method?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
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
