import { readdirSync, readFileSync, statSync } from 'node:fs';
import { contentType, loadWidgetBundle, serveFile } from '@news-forum/server';

const PUBLIC = new URL('../public/', import.meta.url);

/** The page's handler, letting it connect to `api` as well as to its own origin (the server's CSP says `'self'`). */
function connectingTo(handler, api) {
  return (req, res, next) => {
    const policy = res.getHeader('Content-Security-Policy');
    if (typeof policy === 'string')
      res.setHeader('Content-Security-Policy', policy.replace(/(^|;)(\s*connect-src)(?=[\s;]|$)/, `$1$2 ${api}`));
    handler(req, res, next);
  };
}

/**
 * The demo pages, as handlers to mount after the API (`startServer({ site })`);
 * the server itself serves the widget bundle the pages load.
 *
 * @param {{ bundlePath?: string, thirdPartyPort?: number, api?: string }} [options]
 *   `bundlePath`: the content-hashed path the server serves the bundle at (default: that of the installed widget);
 *   `thirdPartyPort`: where the third-party page is, for the link to it;
 *   `api`: the origin of the API the page uses (default: the server serving it).
 */
export function createDemoSite({ bundlePath = loadWidgetBundle().path, thirdPartyPort, api } = {}) {
  const files = readdirSync(PUBLIC, { recursive: true }).filter((name) => statSync(new URL(name, PUBLIC)).isFile());
  const handlers = files.map((name) => {
    const text = readFileSync(new URL(name, PUBLIC), 'utf8')
      .replaceAll('%BUNDLE%', bundlePath)
      .replaceAll('%THIRD_PARTY_PORT%', thirdPartyPort ? String(thirdPartyPort) : '')
      .replaceAll('%API%', api ?? '/');
    const path = name === 'index.html' ? '/' : `/${name}`;
    const handler = serveFile(path, { body: text, type: contentType(name), headers: { 'Cache-Control': 'no-cache' } });
    return api && name.endsWith('.html') ? connectingTo(handler, api) : handler;
  });
  return { handlers, bundlePath };
}
