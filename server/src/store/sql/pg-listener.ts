import pg from 'pg';
import { backoffDelay, wait } from '../../backoff.js';
import type { ListenHandlers } from './driver.js';

const HEARTBEAT_MS = 10_000;

/**
 * LISTEN on a dedicated connection that is reopened, with backoff, when it
 * drops (server restart, network failure, or a heartbeat that fails), so a
 * half-open TCP connection is noticed too.
 */
export class PgListener {
  #client: pg.Client | undefined;
  #drop: (() => void) | undefined;
  readonly #stopping = new AbortController();
  #heartbeat: NodeJS.Timeout | undefined;

  get #stopped(): boolean {
    return this.#stopping.signal.aborted;
  }

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly handlers: ListenHandlers,
  ) {}

  /** Resolves when the first LISTEN succeeded; rejects if it fails. */
  async start(): Promise<void> {
    await this.#connect();
    this.#heartbeat = setInterval(() => void this.#beat(), HEARTBEAT_MS).unref();
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    clearInterval(this.#heartbeat);
    const client = this.#client;
    this.#client = undefined;
    this.#drop = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ ...this.config, keepAlive: true });
    let dropped = false;
    const drop = () => {
      if (dropped) return;
      dropped = true;
      void client.end().catch(() => undefined);
      if (this.#client === client) {
        this.#client = undefined;
        this.#drop = undefined;
        this.handlers.onDrop?.();
        void this.#reconnect();
      }
    };
    // Without an error listener a lost connection would crash the process.
    client.on('error', drop);
    client.on('end', drop);
    client.on('notification', (message) => {
      if (message.channel !== this.channel) return;
      // Until LISTEN is done and the reconnect reported (both before the next I/O callback), a notice could be
      // taken as following what was read from the server before the drop: it only wakes a read.
      this.handlers.onNotify(this.#client === client ? (message.payload ?? '') : '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    } catch (error) {
      dropped = true;
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#drop = drop;
  }

  async #reconnect(): Promise<void> {
    for (let attempt = 0; !this.#stopped; attempt++) {
      await wait(backoffDelay(attempt), this.#stopping.signal);
      if (this.#stopped) return;
      try {
        await this.#connect();
      } catch {
        continue;
      }
      if (!this.#stopped) this.handlers.onReconnect();
      return;
    }
  }

  async #beat(): Promise<void> {
    const client = this.#client;
    const drop = this.#drop;
    if (!client || !drop) return;
    const timeout = setTimeout(drop, HEARTBEAT_MS).unref();
    try {
      await client.query('SELECT 1');
    } catch {
      drop();
    } finally {
      clearTimeout(timeout);
    }
  }
}
