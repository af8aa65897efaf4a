// A rollup plugin that gives the SDK, in the bundle, the element's own
// WebSocket-only socket.io client (src/live/websocket-io.ts) in place of
// socket.io-client: the library carries HTTP long-polling and the upgrade
// from it to WebSocket whatever the options ask for, 11 KiB min+gzip where the
// replacement weighs 1.3. The build fails if the SDK no longer imports
// socket.io-client, so that a change of the SDK's transport is noticed.

import { fileURLToPath } from 'node:url';

const replacement = fileURLToPath(new URL('../dist/lib/live/websocket-io.js', import.meta.url));

export function websocketOnly() {
  let replaced = false;
  return {
    name: 'websocket-only',
    resolveId(source) {
      if (source !== 'socket.io-client') return null;
      replaced = true;
      return replacement;
    },
    buildEnd(error) {
      if (!error && !replaced) this.error('the SDK no longer imports socket.io-client: update scripts/websocket-only.mjs');
    },
  };
}
