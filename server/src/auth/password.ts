import { randomBytes, type ScryptOptions, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { type BulkheadPolicy, bulkhead, isBulkheadRejectedError } from 'cockatiel';
import { ProblemError } from '../problem/problem-error.js';

const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function memoryFor(cost: number, blockSize: number): number {
  return 128 * cost * blockSize * 2;
}

/** How much password work one node takes on at once. */
export interface PasswordWork {
  /** Hashes computed at the same time; each takes 128·N·r bytes (128 MiB at N = 2^17). */
  concurrency: number;
  /** Hashes waiting for a slot; beyond them the answer is 503 at once. */
  queue: number;
}

const DEFAULT_CONCURRENCY = 2;
/** Waiting hashes at N = 2^17: about a second of work on two threads. */
const QUEUE_AT_DEFAULT_COST = 8;

/**
 * The default bound for a cost: the time a hash takes grows with N, so the
 * queue shrinks with it and always holds about the same wait (8 at 2^17,
 * 1,024 at 2^10).
 */
export function defaultPasswordWork(cost: number): PasswordWork {
  return { concurrency: DEFAULT_CONCURRENCY, queue: Math.max(QUEUE_AT_DEFAULT_COST, Math.round((QUEUE_AT_DEFAULT_COST * 2 ** 17) / cost)) };
}

/**
 * scrypt password hashing. The hash string carries its parameters
 * (`scrypt$N$r$p$salt$key`), so the cost can be raised later without
 * invalidating stored hashes.
 */
export class PasswordHasher {
  readonly #cost: number;
  readonly #work: BulkheadPolicy;
  #dummy: Promise<string> | undefined;

  /**
   * `cost` is scrypt's N (a power of two); 2^17 follows OWASP's guidance.
   * `work` bounds the hashes in progress and waiting, so a flood of sign-ins
   * costs neither unbounded memory nor the wait of a real one.
   */
  constructor(cost = 2 ** 17, work: PasswordWork = defaultPasswordWork(cost)) {
    this.#cost = cost;
    this.#work = bulkhead(work.concurrency, work.queue);
  }

  /** Runs `scrypt` in a slot; throws a 503 problem with Retry-After when every slot and place in the queue is taken. */
  async #scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
    try {
      return await this.#work.execute(() => scrypt(password, salt, options));
    } catch (error) {
      if (!isBulkheadRejectedError(error)) throw error;
      throw new ProblemError('unavailable', 'Too many sign-ins are being checked; retry in a moment', {
        headers: { 'Retry-After': '1' },
      });
    }
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const r = 8;
    const key = await this.#scrypt(password, salt, { N: this.#cost, r, p: 1, maxmem: memoryFor(this.#cost, r) });
    return ['scrypt', this.#cost, r, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, key] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !key) return false;
    const N = Number(n);
    const R = Number(r);
    const expected = Buffer.from(key, 'base64url');
    const actual = await this.#scrypt(password, Buffer.from(salt, 'base64url'), { N, r: R, p: Number(p), maxmem: memoryFor(N, R) });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /**
   * Spends the same work as a real verification, for logins that do not
   * exist, so that the answer time does not reveal which logins do.
   */
  async verifyNothing(password: string): Promise<false> {
    this.#dummy ??= this.hash(randomBytes(16).toString('hex')).catch((error: unknown) => {
      // Turned away while busy: the next attempt makes it.
      this.#dummy = undefined;
      throw error;
    });
    await this.verify(password, await this.#dummy);
    return false;
  }
}
