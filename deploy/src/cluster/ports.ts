import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    if (!taken.has(port)) return port;
  }
}

/**
 * Ports of the cluster's services, kept in `ports.json` so a second run
 * listens where the first did (etcd members know each other by address);
 * a port that another program took meanwhile is replaced by a free one.
 */
export class PortBook {
  readonly #file: string;
  readonly #ports: Record<string, number>;
  readonly #taken = new Set<number>();
  /** Roles whose stored port could not be reused. */
  readonly moved = new Set<string>();

  constructor(dir: string) {
    this.#file = path.join(dir, 'ports.json');
    this.#ports = existsSync(this.#file) ? (JSON.parse(readFileSync(this.#file, 'utf8')) as Record<string, number>) : {};
  }

  async port(role: string): Promise<number> {
    const stored = this.#ports[role];
    if (stored !== undefined && !this.#taken.has(stored) && (await isFree(stored))) {
      this.#taken.add(stored);
      return stored;
    }
    if (stored !== undefined) this.moved.add(role);
    const port = await freePort(this.#taken);
    this.#taken.add(port);
    this.#ports[role] = port;
    writeFileSync(this.#file, `${JSON.stringify(this.#ports, null, 2)}\n`);
    return port;
  }
}
