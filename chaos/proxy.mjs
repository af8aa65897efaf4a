// A TCP proxy between a node and PostgreSQL, so a round can cut that
// connection (every open socket destroyed, new ones refused) and restore it.

import { connect, createServer } from 'node:net';

/** Starts a proxy on 127.0.0.1 to `target` (`{ host, port }`); resolves to `{ port, cut(), restore(), close() }`. */
export async function startProxy(target) {
  const open = new Set();
  let cutOff = false;
  const server = createServer((client) => {
    if (cutOff) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream };
    open.add(pair);
    const drop = () => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    /** Drops every connection through the proxy and refuses new ones until restore(). */
    cut() {
      cutOff = true;
      for (const { client, upstream } of open) {
        client.destroy();
        upstream.destroy();
      }
      open.clear();
    },
    restore() {
      cutOff = false;
    },
    close() {
      this.cut();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
