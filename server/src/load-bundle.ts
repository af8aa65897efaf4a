import { bundleIsCurrent } from './bundle-freshness.js';

// Loading the server as one bundled file (made by scripts/bundle.mjs) takes a
// fraction of the time of resolving and reading its hundreds of modules, most
// of the start-up of a node. The bundle is used only when it is at least as
// new as tsc's last build here, so that a `tsc -b` without the bundle step
// never runs stale code; an installed package carries no build info and always
// uses it. From src/ (tests) there is no bundle: the modules load as they are.
const BUNDLE = new URL('./bundle/index.js', import.meta.url);
const BUILD_INFO = new URL('../tsconfig.tsbuildinfo', import.meta.url);

/** The server's modules, from the bundle when it is current. */
export const modules: typeof import('./bundle-entry.js') = bundleIsCurrent(BUNDLE, BUILD_INFO)
  ? ((await import(BUNDLE.href)) as typeof import('./bundle-entry.js'))
  : await import('./bundle-entry.js');
