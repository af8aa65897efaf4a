import { networkInterfaces } from 'node:os';
import { ConfigError, listenError, loadWidgetBundle, startServer } from '@news-forum/server';
import { createDemoSite } from './site.js';
import { startThirdPartySite } from './third-party.js';

export { createDemoSite } from './site.js';
export { startThirdPartySite } from './third-party.js';

function portOf(env, name, fallback) {
  const raw = env[name]?.trim() || fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new ConfigError(name, `must be an integer from 0 to 65535 (got "${raw}")`);
  return Number(raw);
}

/** DEMO_API_URL: the origin of the API the page's widget and SDK example use, when it is not this server. */
function apiOriginOf(env) {
  const raw = env.DEMO_API_URL?.trim();
  if (!raw) return undefined;
  let url;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  // It goes into the page and its CSP: a host name or address, nothing that could end an attribute or a directive.
  const host = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$/i;
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== raw.replace(/\/$/, '') || !host.test(url.hostname)) {
    throw new ConfigError('DEMO_API_URL', `"${raw}" is not an origin such as https://api.forum.example.com`);
  }
  return url.origin;
}

/** Origins a browser may report for a page served on `host:port`. */
function originsOf(url, host) {
  const { hostname, port } = new URL(url);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'];
  // Listening on every interface: readers may come by any of this machine's addresses.
  const wildcard = ['0.0.0.0', '::', '[::]'].includes(host);
  const interfaces = wildcard
    ? Object.values(networkInterfaces())
        .flat()
        .map((i) => (i.family === 'IPv6' ? `[${i.address}]` : i.address))
    : [];
  const names = wildcard || loopback.includes(hostname) ? [...loopback, ...interfaces] : [hostname];
  return [...new Set(names)].map((name) => `http://${name}:${port}`);
}

/**
 * Starts the demo: one forum node (`startServer`, configured by `env`) serving
 * the widget bundle and the demo site, and the third-party blog on its own
 * port (`DEMO_THIRD_PARTY_PORT`, default PORT+1). Unless CORS_ORIGINS is set,
 * the forum lets the blog's origins write. With `DEMO_API_URL`, the page's
 * widget and SDK example talk to that origin's API (the forum behind a public
 * proxy) instead of this server's.
 *
 * @param {import('@news-forum/server').StartOptions} [options] as for `startServer`; `site` handlers go after the demo's
 */
export async function startDemo(options = {}) {
  const env = options.env ?? process.env;
  const port = portOf(env, 'PORT', '3000');
  const host = env.HOST?.trim() || '127.0.0.1';
  const thirdPartyPort = portOf(env, 'DEMO_THIRD_PARTY_PORT', port === 0 ? '0' : String(port + 1));
  const api = apiOriginOf(env);
  let forumUrl;
  // It starts first, on PORT+1 by default, which another program (or a second `npm start`) may hold while PORT is free.
  const thirdParty = await startThirdPartySite({ port: thirdPartyPort, host, forum: () => forumUrl }).catch((error) => {
    const value = `${thirdPartyPort} (the third-party blog's port, PORT+1 unless set)`;
    throw listenError(error, host, { variable: 'DEMO_THIRD_PARTY_PORT', value });
  });
  try {
    const widget = loadWidgetBundle();
    const site = createDemoSite({ bundlePath: widget.path, thirdPartyPort: thirdParty.port, api });
    const forum = await startServer({
      widget,
      ...options,
      env: { ...env, CORS_ORIGINS: env.CORS_ORIGINS ?? originsOf(thirdParty.url, host).join(',') },
      site: [...site.handlers, ...(options.site ?? [])],
    });
    forumUrl = forum.url;
    return {
      forum,
      thirdParty,
      bundlePath: widget.path,
      async close() {
        await Promise.all([thirdParty.close(), forum.close()]);
      },
    };
  } catch (error) {
    await thirdParty.close();
    throw error;
  }
}
