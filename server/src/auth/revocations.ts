import type { EventEmitter } from 'node:events';
import type { Logger } from '../logger.js';
import type { ServerEvents } from '../services.js';
import type { Store, UserRecord } from '../store/store.js';
import type { TokenClaims } from './tokens.js';

/** A revocation as the nodes tell each other. */
export type RevocationNotice = { kind: 'token'; jti: string; exp: number } | { kind: 'sessions'; login: string; sessionVersion: number };

/** How a node tells the others (Redis pub/sub); none on a single node. */
export interface RevocationBus {
  publish(notice: RevocationNotice): Promise<void>;
  close(): Promise<void>;
}

/** How often a node with other nodes rereads the revoked tokens, in case a notice was lost. */
const RELOAD_MS = 30_000;
const SWEEP_MS = 60_000;

/**
 * Signed-out tokens and ended sessions. The database holds the state (it
 * survives restarts); each node keeps the revoked token ids in memory so a
 * request costs no extra read, and learns of revocations on other nodes
 * through the bus (reloading from the database whenever the bus
 * reconnects, and every 30 s). Ended sessions need no cache: the account's
 * sessionVersion is read with the account on every request.
 * Each revocation, from here or another node, is emitted as
 * `tokenRevoked` or `sessionsEnded` so the gateway disconnects the sockets;
 * each reload as `revocationsReloaded`, so it checks them for lost notices.
 */
export class Revocations {
  readonly #store: Store;
  readonly #events: EventEmitter<ServerEvents>;
  readonly #logger: Logger;
  /** jti → expiry in ms. */
  readonly #revoked = new Map<string, number>();
  readonly #timers: NodeJS.Timeout[] = [];
  #bus: RevocationBus | undefined;

  constructor(store: Store, events: EventEmitter<ServerEvents>, logger: Logger) {
    this.#store = store;
    this.#events = events;
    this.#logger = logger;
    this.#timers.push(setInterval(() => this.#sweep(), SWEEP_MS).unref());
  }

  /**
   * Reads every revoked token that has not expired from the database. One
   * not known before is applied as its notice would have been, and then
   * `revocationsReloaded` is emitted.
   */
  async load(): Promise<void> {
    for (const token of await this.#store.listRevokedTokens()) {
      if (!this.#revoked.has(token.jti)) this.apply({ kind: 'token', jti: token.jti, exp: Date.parse(token.expiresAt) });
    }
    this.#events.emit('revocationsReloaded');
  }

  /** Starts telling (and hearing from) the other nodes. */
  useBus(bus: RevocationBus): void {
    this.#bus = bus;
    const reload = setInterval(() => {
      this.load().catch((error: Error) => this.#logger.warn('cannot reload revoked tokens', { error: error.message }));
    }, RELOAD_MS);
    this.#timers.push(reload.unref());
  }

  isRevoked(jti: string): boolean {
    return this.#revoked.has(jti);
  }

  /** Ends one token on every node. */
  async revokeToken(claims: TokenClaims): Promise<void> {
    await this.#store.revokeToken({ jti: claims.jti, accountId: claims.sub, expiresAt: new Date(claims.exp * 1000).toISOString() });
    await this.#tell({ kind: 'token', jti: claims.jti, exp: claims.exp * 1000 });
  }

  /** Tells every node that the account's tokens older than its sessionVersion are void (the store has raised it). */
  async sessionsEnded(user: UserRecord): Promise<void> {
    await this.#tell({ kind: 'sessions', login: user.login, sessionVersion: user.sessionVersion });
  }

  /** A notice from this node or another: remember it and let the gateway disconnect sockets. */
  apply(notice: RevocationNotice): void {
    if (notice.kind === 'token') {
      this.#remember(notice.jti, notice.exp);
      this.#events.emit('tokenRevoked', notice.jti);
    } else {
      this.#events.emit('sessionsEnded', notice.login, notice.sessionVersion);
    }
  }

  close(): void {
    for (const timer of this.#timers) clearInterval(timer);
  }

  async #tell(notice: RevocationNotice): Promise<void> {
    this.apply(notice);
    // The database has it already: a node that misses the notice finds it at its next reload.
    await this.#bus?.publish(notice).catch((error: Error) => this.#logger.warn('cannot publish a revocation', { error: error.message }));
  }

  #remember(jti: string, expiresAtMs: number): void {
    if (expiresAtMs > Date.now()) this.#revoked.set(jti, expiresAtMs);
  }

  #sweep(now = Date.now()): void {
    for (const [jti, expiresAt] of this.#revoked) if (expiresAt <= now) this.#revoked.delete(jti);
  }
}
