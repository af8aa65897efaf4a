import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { contentType, serveFile, sha256 } from './static.js';

const PUBLIC = new URL('../public/', import.meta.url);
const BUNDLE = '@news-forum/widget/news-forum.js';
/** The hashed bundle never changes, so browsers and CDNs may keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The unhashed bundle may change with a deploy: cached briefly, then revalidated by ETag. */
const SHORT = 'public, max-age=300';

/**
 * The demo site, as handlers to mount after the API (`startServer({ site })`):
 * the widget bundle at `/news-forum.js` and at a content-hashed
 * `/news-forum.<hash>.js`, both readable from any origin (module scripts load
 * in CORS mode), and the demo pages at `/`.
 *
 * @param {{ bundleFile?: string, thirdPartyPort?: number }} [options]
 *   `bundleFile`: the built widget bundle (default: the one `@news-forum/widget` exports);
 *   `thirdPartyPort`: where the third-party page is, for the link to it.
 */
export function createDemoSite({ bundleFile = createRequire(import.meta.url).resolve(BUNDLE), thirdPartyPort } = {}) {
  let bundle;
  try {
    bundle = readFileSync(bundleFile);
  } catch {
    throw new Error(`The widget bundle ${bundleFile} is missing: build it with npm run build -w widget`);
  }
  const bundlePath = `/news-forum.${sha256(bundle).slice(0, 12)}.js`;
  const cors = { 'Access-Control-Allow-Origin': '*' };
  let map;
  try {
    map = readFileSync(`${bundleFile}.map`);
  } catch {
    // Built without a source map.
  }
  // The hashed bundle points at its own, equally immutable map: /news-forum.js.map may change with a deploy.
  const hashedBundle = map
    ? Buffer.from(bundle.toString('utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, `//# sourceMappingURL=${bundlePath.slice(1)}.map\n`))
    : bundle;
  const handlers = [
    serveFile('/news-forum.js', { body: bundle, type: contentType('.js'), headers: { ...cors, 'Cache-Control': SHORT } }),
    serveFile(bundlePath, { body: hashedBundle, type: contentType('.js'), headers: { ...cors, 'Cache-Control': IMMUTABLE } }),
  ];
  if (map) {
    handlers.push(serveFile('/news-forum.js.map', { body: map, type: contentType('.map'), headers: { ...cors, 'Cache-Control': SHORT } }));
    handlers.push(serveFile(`${bundlePath}.map`, { body: map, type: contentType('.map'), headers: { ...cors, 'Cache-Control': IMMUTABLE } }));
  }
  for (const name of readdirSync(PUBLIC)) {
    const text = readFileSync(new URL(name, PUBLIC), 'utf8')
      .replaceAll('%BUNDLE%', bundlePath)
      .replaceAll('%THIRD_PARTY_PORT%', thirdPartyPort ? String(thirdPartyPort) : '');
    const path = name === 'index.html' ? '/' : `/${name}`;
    handlers.push(serveFile(path, { body: text, type: contentType(name), headers: { 'Cache-Control': 'no-cache' } }));
  }
  return { handlers, bundlePath };
}
