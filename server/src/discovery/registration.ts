import { isBrokenCircuitError } from 'cockatiel';
import type { Etcd3, Lease } from 'etcd3';
import { backoffDelay, wait } from '../backoff.js';
import type { EtcdAccess } from '../config/etcd-access.js';
import type { Logger } from '../logger.js';
import { createEtcdClient } from './etcd-client.js';

/** Where nodes register; the load balancer's renderer watches it. */
export const UPSTREAM_PREFIX = '/services/news-forum/upstream/';

const REVOKE_TIMEOUT_MS = 2000;

export interface RegistrationOptions extends EtcdAccess {
  ttlSeconds: number;
  /** The key's last segment, INSTANCE_NAME. */
  name: string;
  /** `host:port` the load balancer reaches this node at. */
  address: string;
  logger: Logger;
}

type State = 'registering' | 'registered' | 'unreachable' | 'stopped';

const message = (error: unknown) => {
  const [firstLine = ''] = (error instanceof Error ? error.message : String(error)).split('\n');
  return firstLine;
};

/**
 * Keeps `/services/news-forum/upstream/<name>` = `host:port` in etcd on a
 * lease of `ttlSeconds`: kept alive while the node runs, written again on a
 * new lease whenever the lease is lost (etcd restarted empty, or unreachable
 * for longer than the TTL), retried with backoff while etcd is down. Nothing
 * etcd does makes it throw.
 */
export class Registration {
  readonly key: string;
  readonly #options: RegistrationOptions;
  readonly #client: Etcd3;
  readonly #stopping = new AbortController();
  readonly #stopped = new Promise<void>((resolve) => this.#stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
  #state: State = 'registering';
  #lease: Lease | undefined;
  #lastError: string | undefined;
  /** Until when etcd keeps the lease without hearing from us again. */
  #aliveUntil = 0;
  /** The key was found gone (or taken over) while the lease lives, and is not written back yet. */
  #keyGone = false;
  #checkingKey = false;
  #loop: Promise<void> | undefined;

  constructor(options: RegistrationOptions) {
    this.#options = options;
    this.key = `${UPSTREAM_PREFIX}${options.name}`;
    this.#client = createEtcdClient(options, options.ttlSeconds);
  }

  /** Starts registering in the background; `check` says when it is done. */
  start(): void {
    this.#options.logger.info('registering in etcd', {
      key: this.key,
      address: this.#options.address,
      ttl: this.#options.ttlSeconds,
      endpoints: this.#options.endpoints,
      user: this.#options.auth?.username,
    });
    this.#loop ??= this.#run();
  }

  /**
   * Readiness: resolves while the key is in etcd as far as this node knows:
   * written, and its lease neither lost nor past its TTL since the last
   * keepalive. One failed keepalive (an endpoint down, others up) is not enough.
   */
  async check(): Promise<void> {
    const held = (this.#state === 'registered' || this.#state === 'unreachable') && Date.now() < this.#aliveUntil && !this.#keyGone;
    if (!held) throw new Error(`not registered in etcd (${this.#state}${this.#lastError ? `: ${this.#lastError}` : ''})`);
  }

  /** Deletes the key (revokes the lease) and stops; when etcd is unreachable the key expires within the TTL. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    const hadKey = this.#state === 'registered' || this.#state === 'unreachable';
    this.#state = 'stopped';
    this.#stopping.abort();
    const lease = this.#lease;
    try {
      await lease?.revoke({ deadline: Date.now() + REVOKE_TIMEOUT_MS });
      if (hadKey) this.#options.logger.info('deregistered: etcd key deleted', { key: this.key });
    } catch (error) {
      this.#options.logger.warn('could not delete the etcd key; it expires with its lease', {
        key: this.key,
        ttl: this.#options.ttlSeconds,
        error: message(error),
      });
    }
    await this.#loop;
    this.#client.close();
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopping.signal.aborted) {
      const registered = await this.#register();
      if (registered) {
        failures = 0;
        const error = await Promise.race([registered.lost, this.#stopped]);
        if (this.#stopping.signal.aborted) return;
        this.#fail('registering', 'etcd lease lost; registering again on a new lease', error);
      } else {
        await wait(this.#retryDelay(failures++), this.#stopping.signal);
      }
    }
  }

  /** One attempt: a new lease and the key on it. Undefined when it failed; else `lost` settles when the lease is lost. */
  async #register(): Promise<{ lost: Promise<unknown> } | undefined> {
    const lease = this.#client.lease(this.#options.ttlSeconds);
    this.#lease = lease;
    const lost = new Promise<unknown>((resolve) => lease.once('lost', resolve));
    lease.on('keepaliveFailed', (error: unknown) => {
      if (this.#state === 'registered') this.#fail('unreachable', 'etcd unreachable; trying to keep the lease alive', error);
    });
    lease.on('keepaliveSucceeded', (response: { TTL: string }) => {
      this.#aliveUntil = Date.now() + Number(response.TTL) * 1000;
      void this.#keepKey(lease);
      if (this.#state !== 'unreachable') return;
      this.#state = 'registered';
      this.#lastError = undefined;
      this.#options.logger.info('etcd reachable again; lease kept', { key: this.key });
    });
    try {
      await lease.put(this.key).value(this.#options.address);
    } catch (error) {
      lease.release();
      if (!this.#stopping.signal.aborted) this.#fail('registering', 'etcd registration failed; retrying', error);
      return undefined;
    }
    if (this.#stopping.signal.aborted) return undefined;
    this.#aliveUntil = Date.now() + this.#options.ttlSeconds * 1000;
    this.#keyGone = false;
    this.#state = 'registered';
    this.#lastError = undefined;
    this.#options.logger.info('registered in etcd', { key: this.key, address: this.#options.address, lease: await lease.grant() });
    return { lost };
  }

  /**
   * A live lease does not keep the key: `etcdctl del`, or another process
   * registering under the same name, leaves this node out of the balancer
   * while it keeps the lease alive. Writes the key again on this lease.
   */
  async #keepKey(lease: Lease): Promise<void> {
    if (this.#checkingKey) return;
    this.#checkingKey = true;
    try {
      const [kv] = (await this.#client.get(this.key).exec()).kvs;
      const id = await lease.grant();
      if (kv && kv.lease === id && kv.value.toString() === this.#options.address) {
        this.#keyGone = false;
        return;
      }
      if (this.#stopping.signal.aborted || this.#lease !== lease) return;
      if (!this.#keyGone) {
        this.#options.logger.warn('etcd key gone while its lease lives; writing it again', {
          key: this.key,
          found: kv ? { value: kv.value.toString(), lease: kv.lease } : null,
        });
      }
      this.#keyGone = true;
      await lease.put(this.key).value(this.#options.address);
      this.#keyGone = false;
      this.#options.logger.info('registered in etcd again', { key: this.key, address: this.#options.address, lease: id });
    } catch (error) {
      // Unreachable etcd is the keepalive's to report; the next keepalive checks again.
      this.#options.logger.debug('could not check the etcd key', { key: this.key, error: message(error) });
    } finally {
      this.#checkingKey = false;
    }
  }

  /** Logs a change of state as a warning, repeats at debug. */
  #fail(state: 'registering' | 'unreachable', what: string, error: unknown): void {
    // Once calls to every endpoint failed, the client refuses to try for a while: the failure before says why.
    const text = isBrokenCircuitError(error) && this.#lastError !== undefined ? this.#lastError : message(error);
    const first = this.#state !== state || this.#lastError === undefined;
    this.#state = state;
    this.#lastError = text;
    (first ? this.#options.logger.warn : this.#options.logger.debug)(what, { key: this.key, error: text });
  }

  /** Several tries per TTL, so the key is back well within one TTL of etcd returning. */
  #retryDelay(failures: number): number {
    const cap = Math.min(5000, Math.max(500, (this.#options.ttlSeconds * 1000) / 4));
    return Math.max(100, backoffDelay(failures, 250, cap));
  }
}
