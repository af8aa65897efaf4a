import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { contentType, type SiteHandler, serveFile, sha256 } from './static-file.js';

/** The unhashed bundle may change with a deploy: cached briefly, then revalidated by ETag. */
const SHORT = 'public, max-age=300';
/** The hashed bundle never changes, so browsers and CDNs may keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
// Module scripts load in CORS mode: every origin may embed the widget.
const CORS = { 'Access-Control-Allow-Origin': '*' };
/** Files the bundle loads, named by their content (`news-forum-parts.3db90cff3578.js`), and their maps. */
const CONTENT_HASHED = /\.[0-9a-f]{8,}\.js(\.map)?$/;

/** The `<news-forum>` bundle as the server serves it. */
export interface WidgetBundle {
  /** `/news-forum.<hash>.js`: the same code under a name that changes with it. */
  path: string;
  handlers: SiteHandler[];
}

/**
 * Reads the built widget bundle (`@news-forum/widget/news-forum.js`, or
 * `file`) and its source map, and makes the handlers that serve it at
 * `/news-forum.js` (cached briefly) and at a content-hashed path (cached for
 * a year, with its own map), and the content-hashed files next to it, which
 * it loads (cached for a year), all readable from any origin. Throws when
 * the bundle is missing.
 */
export function loadWidgetBundle(file?: string): WidgetBundle {
  const bundleFile = file ?? createRequire(import.meta.url).resolve('@news-forum/widget/news-forum.js');
  let bundle: Buffer;
  try {
    bundle = readFileSync(bundleFile);
  } catch {
    throw new Error(`The widget bundle ${bundleFile} is missing: build it with npm run build -w widget`);
  }
  const path = `/news-forum.${sha256(bundle).slice(0, 12)}.js`;
  let map: Buffer | undefined;
  try {
    map = readFileSync(`${bundleFile}.map`);
  } catch {
    // Built without a source map.
  }
  // The hashed bundle points at its own, equally immutable map: /news-forum.js.map may change with a deploy.
  const hashed = map
    ? Buffer.from(bundle.toString('utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, `//# sourceMappingURL=${path.slice(1)}.map\n`))
    : bundle;
  const js = contentType('.js');
  const handlers = [
    serveFile('/news-forum.js', { body: bundle, type: js, headers: { ...CORS, 'Cache-Control': SHORT } }),
    serveFile(path, { body: hashed, type: js, headers: { ...CORS, 'Cache-Control': IMMUTABLE } }),
  ];
  if (map) {
    const type = contentType('.map');
    handlers.push(serveFile('/news-forum.js.map', { body: map, type, headers: { ...CORS, 'Cache-Control': SHORT } }));
    handlers.push(serveFile(`${path}.map`, { body: map, type, headers: { ...CORS, 'Cache-Control': IMMUTABLE } }));
  }
  const dir = dirname(bundleFile);
  for (const name of readdirSync(dir).filter((name) => CONTENT_HASHED.test(name))) {
    const body = readFileSync(join(dir, name));
    handlers.push(serveFile(`/${name}`, { body, type: contentType(name), headers: { ...CORS, 'Cache-Control': IMMUTABLE } }));
  }
  return { path, handlers };
}
