import type { AppliedVersions } from './applied-versions.js';

/** A write acknowledged to an account: the document and the version it produced. */
export interface Fence {
  id: string;
  version: number;
  /** `WriteFences.now()` when the write was acknowledged. */
  at: number;
  /** What the fence covers, e.g. the post whose comments it changed. */
  scope: string;
}

/**
 * Unmet fences kept per account. The feed is in commit order, so a later
 * write's fence being met usually implies the earlier ones; past this many
 * (writes in flight at once) the oldest goes.
 */
const MAX_FENCES = 64;
/** Accounts with fences before met ones are swept (accounts that wrote and never read again). */
const SWEEP_AT = 10_000;

/**
 * Read-your-writes for one read model. A write handler records the version
 * its write produced for the caller; before that caller is served from
 * memory, the model must have applied it (or been reloaded since), because
 * the feed is in commit order: having applied that version, the model has
 * applied everything committed before it.
 */
export class WriteFences {
  readonly #pending = new Map<string, Fence[]>();
  readonly #applied: AppliedVersions;
  readonly #reloadedSince: (at: number, scope: string) => boolean;
  #clock = 0;

  /** `reloadedSince(at, scope)`: whether what `scope` serves was read from the store after `at`. */
  constructor(applied: AppliedVersions, reloadedSince: (at: number, scope: string) => boolean) {
    this.#applied = applied;
    this.#reloadedSince = reloadedSince;
  }

  /** A logical clock that orders acknowledgements and reloads. */
  now(): number {
    return ++this.#clock;
  }

  /** Records that `login` was told its write produced `version` of `id`. */
  expect(login: string, id: string, version: number, scope = ''): void {
    const fence = { id, version, at: this.now(), scope };
    if (this.#met(fence)) return;
    const fences = this.#pending.get(login) ?? [];
    if (fences.length >= MAX_FENCES) fences.shift();
    fences.push(fence);
    this.#pending.set(login, fences);
    if (this.#pending.size > SWEEP_AT) this.#sweep();
  }

  /**
   * Whether memory may answer `login` about `scope` (undefined: any): true
   * when every write acknowledged to it has been applied, waiting at most
   * `ms` for that.
   */
  async settled(login: string, ms: number, scope?: string): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      const fences = this.#pending.get(login);
      if (!fences) return true;
      const open = fences.filter((fence) => !this.#met(fence));
      if (open.length === 0) this.#pending.delete(login);
      else this.#pending.set(login, open);
      if (!open.some((fence) => scope === undefined || fence.scope === scope)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await this.#applied.next(left);
    }
  }

  #sweep(): void {
    for (const [login, fences] of this.#pending) {
      const open = fences.filter((fence) => !this.#met(fence));
      if (open.length === 0) this.#pending.delete(login);
      else this.#pending.set(login, open);
    }
  }

  #met(fence: Fence): boolean {
    return this.#applied.get(fence.id) >= fence.version || this.#reloadedSince(fence.at, fence.scope);
  }
}
