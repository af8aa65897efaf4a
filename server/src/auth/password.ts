import { randomBytes, type ScryptOptions, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function memoryFor(cost: number, blockSize: number): number {
  return 128 * cost * blockSize * 2;
}

/**
 * scrypt password hashing. The hash string carries its parameters
 * (`scrypt$N$r$p$salt$key`), so the cost can be raised later without
 * invalidating stored hashes.
 */
export class PasswordHasher {
  readonly #cost: number;
  #dummy: Promise<string> | undefined;

  /** `cost` is scrypt's N (a power of two); 2^17 follows OWASP's guidance. */
  constructor(cost = 2 ** 17) {
    this.#cost = cost;
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const r = 8;
    const key = await scrypt(password, salt, { N: this.#cost, r, p: 1, maxmem: memoryFor(this.#cost, r) });
    return ['scrypt', this.#cost, r, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, key] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !key) return false;
    const N = Number(n);
    const R = Number(r);
    const expected = Buffer.from(key, 'base64url');
    const actual = await scrypt(password, Buffer.from(salt, 'base64url'), { N, r: R, p: Number(p), maxmem: memoryFor(N, R) });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /**
   * Spends the same work as a real verification, for logins that do not
   * exist, so that the answer time does not reveal which logins do.
   */
  async verifyNothing(password: string): Promise<false> {
    this.#dummy ??= this.hash(randomBytes(16).toString('hex'));
    await this.verify(password, await this.#dummy);
    return false;
  }
}
