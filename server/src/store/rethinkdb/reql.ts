import driver from 'rethinkdb';

/**
 * A ReQL term. The driver's published type definitions lack much of the
 * ReQL used here (ordering by index, `between` bounds, `minval`/`maxval`,
 * `returnChanges: 'always'`, `includeTypes`, table `config()`), so terms are
 * built untyped and every query's result is typed where it is read.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above; results are typed at each use.
export type Term = any;

/** The driver's `r`. */
export const r: Term = driver;

export type Connection = driver.Connection;

/** What a write returns with `returnChanges`. */
export interface WriteResult<T> {
  inserted: number;
  replaced: number;
  unchanged: number;
  deleted: number;
  skipped: number;
  errors: number;
  first_error?: string;
  changes?: { old_val: T | null; new_val: T | null }[];
}

/** Writes wait until a majority of replicas have them on disk. */
export const HARD = { durability: 'hard' } as const;
