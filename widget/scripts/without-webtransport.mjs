// A rollup plugin that leaves socket.io-client's WebTransport transport out
// of the bundle: the forum's server never offers it (it needs HTTP/3), and
// the element asks for polling and WebSocket only (session-controller.ts).
// engine.io-client lists its transports in one module; this gives that
// module `undefined` for WebTransport. The build fails if the module is not
// found, so that an update of engine.io-client that moves it is noticed.

const VIRTUAL = '\0without-webtransport';

export function withoutWebTransport() {
  let replaced = false;
  return {
    name: 'without-webtransport',
    resolveId(source, importer) {
      if (source !== './webtransport.js' || !importer?.replaceAll('\\', '/').endsWith('/engine.io-client/build/esm/transports/index.js'))
        return null;
      replaced = true;
      return VIRTUAL;
    },
    load(id) {
      return id === VIRTUAL ? 'export const WT = undefined;' : null;
    },
    buildEnd(error) {
      if (!error && !replaced)
        this.error("engine.io-client's transports/index.js no longer imports ./webtransport.js: update scripts/without-webtransport.mjs");
    },
  };
}
