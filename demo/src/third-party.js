import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { contentType } from '@news-forum/server';

const PAGES = new URL('../third-party/', import.meta.url);
const HOSTNAME = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$/i;

/**
 * A stand-in for someone else's blog, on its own origin, that embeds the
 * widget the way a third party would: a module script from the forum's
 * origin and `<news-forum api="…">`, under a strict Content-Security-Policy
 * that names the forum. The forum is addressed with the host name the
 * reader used (localhost or 127.0.0.1), on the forum's port.
 *
 * @param {{ port?: number, host?: string, forum: () => string | undefined }} options
 *   `forum`: the forum's URL (read per request, so the forum may start later).
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function startThirdPartySite({ port = 0, host = '127.0.0.1', forum }) {
  const files = new Map(['blog.html', 'blog.css', 'blog.js'].map((name) => [name, readFileSync(new URL(name, PAGES), 'utf8')]));
  const server = createServer((req, res) => {
    // As sent: new URL() throws on `//` (it reads a host there), and a throw here would end the process.
    const path = (req.url ?? '/').split('?')[0];
    const name = path === '/' ? 'blog.html' : path.slice(1);
    const file = files.get(name);
    const forumUrl = forum();
    if (!file || !forumUrl || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(file && !forumUrl ? 503 : 404, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end(file ? 'The forum is starting.' : 'Not found');
    }
    const origin = new URL(forumUrl);
    const asked = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (HOSTNAME.test(asked)) origin.hostname = asked;
    const forumOrigin = origin.origin;
    const socketOrigin = forumOrigin.replace(/^http/, 'ws');
    res.writeHead(200, {
      'Content-Type': contentType(name),
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': [
        "default-src 'self'",
        `script-src 'self' ${forumOrigin}`,
        `connect-src 'self' ${forumOrigin} ${socketOrigin}`,
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
      ].join('; '),
    });
    res.end(req.method === 'HEAD' ? undefined : file.replaceAll('%FORUM%', forumOrigin));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
