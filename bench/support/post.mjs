import { Agent, request } from 'node:http';

// At most 64 connections: a server that falls behind sees a queue here rather
// than hundreds of connection attempts that time out. None kept alive: a busy
// client would write on a socket the server had already closed as idle.
const agent = new Agent({ keepAlive: false, maxSockets: 64 });

/** `POST url` without a body; resolves to the JSON answer, fails on one that is not 2xx. */
export function post(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': 0 } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(JSON.parse(text));
        else reject(new Error(`POST ${url}: ${res.statusCode} ${text}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
