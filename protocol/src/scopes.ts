import type { Scope } from './types.js';

/**
 * Whether an account with `scopes` moderates (scope `delete`, or `admin`):
 * it sees hidden posts and comments and their flag counts, and flags without
 * waiting for the account age the server asks of readers.
 */
export function isModerator(scopes: readonly Scope[] | undefined): boolean {
  return scopes !== undefined && (scopes.includes('delete') || scopes.includes('admin'));
}
