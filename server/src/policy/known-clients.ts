/**
 * The (login, client address) pairs that signed in successfully lately, on
 * this node. Oldest first; past `capacity` the oldest are forgotten.
 */
export class KnownClients {
  readonly #seen = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #capacity: number;

  constructor(ttlMs: number, capacity: number) {
    this.#ttlMs = ttlMs;
    this.#capacity = capacity;
  }

  remember(login: string, address: string, now = Date.now()): void {
    const key = `${login} ${address}`;
    this.#seen.delete(key);
    this.#seen.set(key, now);
    if (this.#seen.size > this.#capacity) this.#seen.delete(this.#seen.keys().next().value as string);
  }

  has(login: string, address: string, now = Date.now()): boolean {
    const seen = this.#seen.get(`${login} ${address}`);
    return seen !== undefined && now - seen < this.#ttlMs;
  }
}
