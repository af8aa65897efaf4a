// What the build bundles into dist/bundle/index.js (one file, loaded by
// load-bundle.ts): the public API and the command line.
export * from './api.js';
export { runCli } from './cli-main.js';
