import { readdirSync, readFileSync } from 'node:fs';
import { contentType, loadWidgetBundle, serveFile } from '@news-forum/server';

const PUBLIC = new URL('../public/', import.meta.url);

/**
 * The demo pages, as handlers to mount after the API (`startServer({ site })`);
 * the server itself serves the widget bundle the pages load.
 *
 * @param {{ bundlePath?: string, thirdPartyPort?: number }} [options]
 *   `bundlePath`: the content-hashed path the server serves the bundle at (default: that of the installed widget);
 *   `thirdPartyPort`: where the third-party page is, for the link to it.
 */
export function createDemoSite({ bundlePath = loadWidgetBundle().path, thirdPartyPort } = {}) {
  const handlers = readdirSync(PUBLIC).map((name) => {
    const text = readFileSync(new URL(name, PUBLIC), 'utf8')
      .replaceAll('%BUNDLE%', bundlePath)
      .replaceAll('%THIRD_PARTY_PORT%', thirdPartyPort ? String(thirdPartyPort) : '');
    const path = name === 'index.html' ? '/' : `/${name}`;
    return serveFile(path, { body: text, type: contentType(name), headers: { 'Cache-Control': 'no-cache' } });
  });
  return { handlers, bundlePath };
}
