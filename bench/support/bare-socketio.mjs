import { fileURLToPath } from 'node:url';
import { answers200, freePort, spawnServer, until } from './processes.mjs';

const PROGRAM = fileURLToPath(new URL('../servers/bare-socketio.mjs', import.meta.url));

/** Starts servers/bare-socketio.mjs on the servers' core; resolves once it answers. */
export async function startBareSocketIo() {
  const port = await freePort();
  const server = spawnServer('bare socket.io', process.execPath, [PROGRAM], { env: { ...process.env, PORT: String(port) } });
  const url = `http://127.0.0.1:${port}`;
  await until(server, () => answers200(`${url}/readyz`));
  return { url, pid: server.child.pid, stop: () => server.stop() };
}
